// PostgreSQL work the native engine does itself but the Wasm engine leaves to
// its host (the `cli` subcommands, `db execute`), and the pg driver adapter
// the Wasm engine migrates through, with two faults of @prisma/adapter-pg
// 7.10.0 shimmed (docs/decisions/038-one-schema-two-providers.md).
import crypto from "node:crypto";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { log } from "./log.mjs";
import { UserFacingError } from "./errors.mjs";

export const isPostgresqlUrl = (url) => typeof url === "string" && /^postgres(ql)?:\/\//i.test(url);

/** The database a URL names: its path, else (as pg and libpq do) the user's name. */
export function databaseNameOf(url) {
  const { pathname, username } = new URL(url);
  return decodeURIComponent(pathname.replace(/^\//, "")) || decodeURIComponent(username) || "postgres";
}

/** The same server and credentials, another database. */
export function urlWithDatabase(url, database) {
  const next = new URL(url);
  next.pathname = `/${encodeURIComponent(database)}`;
  return next.toString();
}

/** Prisma's `?schema=` parameter; pg ignores it, the engine needs it. */
function schemaOf(url) {
  return new URL(url).searchParams.get("schema") ?? "public";
}

const quote = (name) => `"${name.replace(/"/g, '""')}"`;

/** The native engine's error codes for what pg reports while connecting. */
function connectionError(error, url) {
  const { hostname: host, port: rawPort, username } = new URL(url);
  const port = Number(rawPort || 5432);
  const database = databaseNameOf(url);
  if (error?.code === "3D000") {
    // P1003 is what makes the CLI create the database (`migrate dev|deploy`).
    return new UserFacingError(
      "P1003",
      `Database \`${database}\` does not exist on the database server at \`${host}:${port}\`.`,
      { database_name: database, database_host: host, database_port: port },
    );
  }
  if (error?.code === "28P01" || error?.code === "28000") {
    return new UserFacingError(
      "P1000",
      `Authentication failed against database server at \`${host}\`, the provided database credentials for \`${decodeURIComponent(username)}\` are not valid.`,
      { database_user: decodeURIComponent(username), database_host: host },
    );
  }
  if (["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT"].includes(error?.code)) {
    return new UserFacingError(
      "P1001",
      `Can't reach database server at \`${host}:${port}\`\n\nPlease make sure your database server is running at \`${host}:${port}\`.`,
      { database_host: host, database_port: port },
    );
  }
  return error;
}

/** Runs `work` on a connection of our own to `url`, closed after. */
export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw connectionError(error, url);
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creating or dropping a database needs a connection to another one on the
 * same server: the `postgres` database, as the native engine uses, or
 * `template1` where `postgres` has been removed.
 */
async function onServer(url, work) {
  try {
    return await withClient(urlWithDatabase(url, "postgres"), work);
  } catch (error) {
    if (error?.code !== "P1003") throw error;
    return withClient(urlWithDatabase(url, "template1"), work);
  }
}

/** `cli can-connect-to-database` / `ensureConnectionValidity`. */
export async function canConnect(url) {
  await withClient(url, (client) => client.query("SELECT 1"));
}

/** `cli create-database` / `createDatabase`. */
export async function createDatabase(url) {
  const database = databaseNameOf(url);
  await onServer(url, async (client) => {
    try {
      await client.query(`CREATE DATABASE ${quote(database)}`);
    } catch (error) {
      if (error?.code !== "42P04") throw error;
      const { hostname: host, port } = new URL(url);
      throw new UserFacingError(
        "P1009",
        `Database \`${database}\` already exists on the database server at \`${host}:${port || 5432}\``,
        { database_name: database, database_host: host, database_port: Number(port || 5432) },
      );
    }
  });
  return database;
}

/** `cli drop-database`. */
export async function dropDatabase(url) {
  const database = databaseNameOf(url);
  await onServer(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quote(database)}`));
}

/** `dbExecute`: one script, sent as one simple query (pg runs every statement in it). */
export async function executeScript(url, script) {
  try {
    await withClient(url, (client) => client.query(script));
  } catch (error) {
    if (error instanceof UserFacingError) throw error;
    throw new UserFacingError("", `PostgreSQL database error\n${error.message}`);
  }
}

// OID of PostgreSQL's one-byte `"char"` type (pg_class.relkind, pg_constraint.contype, ...).
const CHAR_OID = 18;
const TEXT_OID = 25;

/**
 * Shim (2): the engine's introspection reads catalog columns of type `"char"`,
 * and adapter-pg 7.10.0 has no column type for OID 18, so every query that
 * returns one fails with "Column type 'char' could not be deserialized"
 * (`migrate diff --from-migrations`, `migrate dev`, `db pull`). pg already
 * hands the value over as a string: call its column text, as it is.
 */
export function readCharColumnsAsText(queryable) {
  const performIO = queryable.performIO.bind(queryable);
  queryable.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result?.fields ?? []) {
      if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    }
    return result;
  };
  return queryable;
}

function patchAdapter(adapter, openAdapters, role) {
  openAdapters.set(adapter, role);
  readCharColumnsAsText(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => readCharColumnsAsText(await startTransaction(...args));
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    openAdapters.delete(adapter);
    return dispose();
  };
  return adapter;
}

/**
 * Shim (1): adapter-pg 7.10.0's `connectToShadowDb()` creates a database and
 * then opens `{ ...config, database }`, but pg lets the connection string win
 * over `database`, so the "shadow" it returns is the main database: replaying
 * the migrations there fails (`type "Channel" already exists`) or, on an empty
 * database, leaves them applied in it. Create the temporary database here,
 * connect to it by its own URL, and drop it when the engine lets go of it.
 */
async function connectToTemporaryShadowDatabase(mainUrl, options) {
  const database = `prisma_migrate_shadow_db_${crypto.randomUUID()}`;
  await withClient(mainUrl, (client) => client.query(`CREATE DATABASE ${quote(database)}`));
  const shadowUrl = urlWithDatabase(mainUrl, database);
  let adapter;
  try {
    adapter = await new PrismaPg({ connectionString: shadowUrl }, options).connect();
  } catch (error) {
    await dropTemporaryDatabase(mainUrl, database);
    throw error;
  }
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    await dispose();
    await dropTemporaryDatabase(mainUrl, database);
    log("INFO", { message: `shadow database ${database} dropped` }, "schema_engine_stand_in");
  };
  log("INFO", { message: `shadow database ${database} created` }, "schema_engine_stand_in");
  return adapter;
}

async function dropTemporaryDatabase(mainUrl, database) {
  // FORCE (PostgreSQL 13+): a connection the pool has not closed yet must not keep it alive.
  await withClient(mainUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quote(database)} WITH (FORCE)`));
}

/**
 * A shadow database the config names (`shadowDatabaseUrl`): the binary soft-
 * resets it before replaying the migrations there; the Wasm engine uses it as
 * it finds it, so what was left in it shows up as a difference. Reset it first.
 */
async function connectToConfiguredShadowDatabase(shadowUrl) {
  const schema = quote(schemaOf(shadowUrl));
  await withClient(shadowUrl, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema};`));
  return new PrismaPg({ connectionString: shadowUrl }, { schema: schemaOf(shadowUrl) }).connect();
}

/**
 * The adapter factory the Wasm engine migrates through. The shadow database is
 * `shadowDatabaseUrl` when the config names one, otherwise a temporary
 * database on the main server.
 */
export function createAdapterFactory(datasource, openAdapters) {
  const url = datasource?.url;
  const shadowUrl = datasource?.shadowDatabaseUrl;
  const options = url ? { schema: schemaOf(url) } : undefined;
  const inner = new PrismaPg({ connectionString: url }, options);
  return {
    provider: "postgres",
    adapterName: inner.adapterName,
    async connect() {
      return patchAdapter(await inner.connect(), openAdapters, "main");
    },
    async connectToShadowDb() {
      const adapter = shadowUrl
        ? await connectToConfiguredShadowDatabase(shadowUrl)
        : await connectToTemporaryShadowDatabase(url, options);
      return patchAdapter(adapter, openAdapters, "shadow");
    },
  };
}
