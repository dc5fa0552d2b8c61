// SQLite-specific work the native engine does itself but the Wasm engine
// either cannot do (create/drop a database file, the `cli` subcommands) or does
// differently (reset, multi-statement scripts). Done here with better-sqlite3.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { log } from "./log.mjs";
import { UserFacingError } from "./errors.mjs";

export { UserFacingError };

/**
 * Turns a Prisma SQLite URL (`file:./dev.db`, `file:/abs.db?connection_limit=1`)
 * into an absolute path. Relative paths resolve against the working directory,
 * which the Prisma CLI sets to the directory of prisma.config.ts — the same
 * rule the native engine follows.
 */
export function sqlitePathFromUrl(url) {
  if (typeof url !== "string" || url.length === 0) {
    throw new UserFacingError(
      "P1012",
      "The datasource.url property is required in your Prisma config file when using this command.",
    );
  }
  let rest = url;
  if (rest.startsWith("file://")) rest = rest.slice("file://".length);
  else if (rest.startsWith("file:")) rest = rest.slice("file:".length);
  else if (rest.startsWith("sqlite://")) rest = rest.slice("sqlite://".length);
  else if (rest.startsWith("sqlite:")) rest = rest.slice("sqlite:".length);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    throw new UserFacingError(
      "P1013",
      `The provided database string is invalid. This stand-in schema engine supports SQLite (file:...) and PostgreSQL (postgresql://...) URLs, got a "${rest.split(":")[0]}" URL.`,
    );
  }
  rest = rest.split("?")[0];
  if (rest === ":memory:") return rest;
  return path.resolve(process.cwd(), decodeURIComponent(rest));
}

function databaseName(file) {
  return path.basename(file);
}

/** `cli can-connect-to-database` / `ensureConnectionValidity`. */
export function canConnect(url) {
  const file = sqlitePathFromUrl(url);
  if (file !== ":memory:" && !fs.existsSync(file)) {
    // P1003 is what makes the CLI offer to create the database file.
    throw new UserFacingError(
      "P1003",
      `Database \`${databaseName(file)}\` does not exist at \`${file}\``,
      { database_file_name: databaseName(file), database_file_path: file },
    );
  }
  const db = new Database(file, { fileMustExist: file !== ":memory:" });
  try {
    db.prepare("SELECT 1").get();
  } finally {
    db.close();
  }
}

/** `cli create-database` / `createDatabase`: an empty file, parents included. */
export function createDatabase(url) {
  const file = sqlitePathFromUrl(url);
  if (file !== ":memory:") {
    if (fs.existsSync(file)) {
      throw new UserFacingError(
        "P1009",
        `Database \`${databaseName(file)}\` already exists at \`${file}\``,
      );
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }
  new Database(file).close();
  return databaseName(file);
}

/** `cli drop-database`: remove the file and its journal side files. */
export function dropDatabase(url) {
  const file = sqlitePathFromUrl(url);
  if (file === ":memory:") return;
  for (const suffix of ["", "-journal", "-wal", "-shm"]) {
    fs.rmSync(file + suffix, { force: true });
  }
}

/**
 * A minimal async connection: `query(sql)` returns rows as objects, `exec(sql)`
 * runs a script. Backed either by the Wasm engine's own adapter connection or
 * by a connection of our own. The engine's connection matters: it holds
 * SQLite's EXCLUSIVE locking mode, so a second connection would be locked out.
 */
export function connectionFromAdapter(adapter) {
  return {
    async query(sql) {
      const { columnNames, rows } = await adapter.queryRaw({ sql, args: [], argTypes: [] });
      return rows.map((row) => Object.fromEntries(columnNames.map((name, i) => [name, row[i]])));
    },
    exec: (sql) => adapter.executeScript(sql),
    close: async () => {},
  };
}

export function openConnection(url) {
  const file = sqlitePathFromUrl(url);
  if (file !== ":memory:" && !fs.existsSync(file)) {
    throw new UserFacingError(
      "P1003",
      `Database \`${databaseName(file)}\` does not exist at \`${file}\``,
      { database_file_name: databaseName(file), database_file_path: file },
    );
  }
  const db = new Database(file);
  return {
    query: async (sql) => db.prepare(sql).all(),
    exec: async (sql) => void db.exec(sql),
    close: async () => db.close(),
  };
}

/**
 * `reset`: leave a database with no schema and no data. The Wasm engine only
 * deletes rows on SQLite, so drop every schema object ourselves. Tables the
 * config marks as external are left alone, as Prisma's soft reset does.
 */
export async function resetDatabase(connection, externalTables = []) {
  const keep = new Set(externalTables);
  const objects = await connection.query(
    "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND type IN ('view', 'trigger', 'table')",
  );
  const quote = (name) => `"${name.replace(/"/g, '""')}"`;
  const order = { view: 0, trigger: 1, table: 2 };
  const drops = objects
    .filter((o) => !keep.has(o.tbl_name))
    .sort((a, b) => order[a.type] - order[b.type])
    .map((o) => `DROP ${o.type.toUpperCase()} IF EXISTS ${quote(o.name)};`);
  // Foreign keys off so tables drop in any order (then restored); VACUUM
  // returns the space, as recreating the file would.
  const [{ foreign_keys: fk }] = await connection.query("PRAGMA foreign_keys");
  await connection.exec(
    ["PRAGMA foreign_keys = OFF;", ...drops, `PRAGMA foreign_keys = ${Number(fk) ? "ON" : "OFF"};`, "VACUUM;"].join("\n"),
  );
}

/** `dbExecute`: run a whole script as one, as the binary does. */
export async function executeScript(connection, script) {
  try {
    await connection.exec(script);
  } catch (error) {
    throw new UserFacingError("", `SQLite database error\n${error.cause?.originalMessage ?? error.message}`);
  }
}

function isMultiStatementError(error, query) {
  return (
    error instanceof RangeError &&
    /more than one statement/i.test(error.message) &&
    (query.args?.length ?? 0) === 0
  );
}

/**
 * Difference (1): the Wasm engine replays each migration.sql into the shadow
 * database with `executeRaw`, which better-sqlite3 refuses for more than one
 * statement. Run such a script with `exec` instead. better-sqlite3 rejects it
 * while preparing, before running any of it, so nothing runs twice.
 */
function allowScriptsInExecuteRaw(queryable, runScript) {
  const executeRaw = queryable.executeRaw.bind(queryable);
  queryable.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (error) {
      if (!isMultiStatementError(error, query)) throw error;
      log("INFO", { message: "executeRaw got a whole script; running it with exec" }, "schema_engine_stand_in");
      await runScript(query.sql);
      return 0;
    }
  };
  return queryable;
}

function patchAdapter(adapter, openAdapters, role) {
  openAdapters.set(adapter, role);
  allowScriptsInExecuteRaw(adapter, (sql) => adapter.executeScript(sql));
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => {
    const tx = await startTransaction(...args);
    // Transactions have no executeScript; they share the adapter's connection.
    return allowScriptsInExecuteRaw(tx, async (sql) => tx.client.exec(sql));
  };
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    openAdapters.delete(adapter);
    return dispose();
  };
  return adapter;
}

/**
 * Builds the migration-aware adapter factory the Wasm engine expects. The main
 * database is the datasource URL; the shadow database is `shadowDatabaseUrl`
 * or, as with the native engine on SQLite, a fresh in-memory database.
 */
export function createAdapterFactory(datasource, openAdapters) {
  // openAdapters: Map of live adapter -> "main" | "shadow", so the session can
  // reuse the engine's own connection and close everything on exit.
  const url = datasource?.url;
  const shadowUrl = datasource?.shadowDatabaseUrl;
  const options = shadowUrl ? { shadowDatabaseUrl: sqlitePathFromUrl(shadowUrl) } : undefined;
  const inner = url
    ? new PrismaBetterSqlite3({ url: sqlitePathFromUrl(url) }, options)
    : new PrismaBetterSqlite3({ url: ":memory:" }, options);

  const factory = {
    provider: "sqlite",
    adapterName: inner.adapterName,
    async connect() {
      if (!url) {
        throw new UserFacingError(
          "P1012",
          "The datasource.url property is required in your Prisma config file when using this command.",
        );
      }
      return patchAdapter(await inner.connect(), openAdapters, "main");
    },
    async connectToShadowDb() {
      return patchAdapter(await inner.connectToShadowDb(), openAdapters, "shadow");
    },
  };
  return factory;
}
