// The RPC methods, mostly passed straight to the Wasm engine, with the places
// where it behaves differently from the native binary patched to match.
import { log, forwardEngineLog } from "./log.mjs";
import { databaseFor } from "./databases.mjs";
import * as postgresql from "./postgresql.mjs";
import * as sqlite from "./sqlite.mjs";
import { createWasmEngine } from "./wasm.mjs";

const PASS_THROUGH = new Set([
  "applyMigrations",
  "ensureConnectionValidity",
  "introspect",
  "introspectSql",
  "markMigrationRolledBack",
  "schemaPush",
]);

/** P1014 about the migrations table: the Wasm engine's way of saying "no history yet". */
function isMissingMigrationsTable(error) {
  return error?.code === "P1014" && /_prisma_migrations/.test(error.message ?? "");
}

function isShadowDbMissing(error) {
  return /shadow d(atabase|b) must be provided/i.test(error?.message ?? "");
}

/** Says on stderr (visible with DEBUG=prisma:schemaEngine*) when a workaround kicks in. */
const note = (message) => log("INFO", { message }, "schema_engine_stand_in");

const migrationNames = (migrationsList) =>
  (migrationsList?.migrationDirectories ?? []).map((dir) => dir.path);

export class Session {
  constructor({ datamodels, datasource }) {
    this.datamodels = datamodels;
    this.datasource = datasource ?? {};
    this.openAdapters = new Map();
    this.enginePromise = null;
  }

  engine() {
    // Created on first use so that `getDatabaseVersion`-only sessions and
    // schema parse errors behave like the binary's lazy connection.
    this.enginePromise ??= createWasmEngine({
      datamodels: this.datamodels,
      adapterFactory: databaseFor(this.datasource.url).createAdapterFactory(this.datasource, this.openAdapters),
      onLog: forwardEngineLog,
    }).then(({ engine }) => engine);
    return this.enginePromise;
  }

  async call(method, params) {
    const engine = await this.engine();
    // Call through the instance: detaching the method breaks wasm-bindgen's `this`.
    return engine[method](params);
  }

  /** Dispatches one request; returns the JSON-RPC `result` value. */
  async run(method, params, rpc) {
    if (PASS_THROUGH.has(method)) return (await this.call(method, params)) ?? {};

    switch (method) {
      case "getDatabaseVersion":
        return this.call("version", params ?? null);

      case "diagnoseMigrationHistory":
        return this.diagnoseMigrationHistory(params);

      case "devDiagnostic":
      case "markMigrationApplied":
        return this.withMigrationsTable(method, params);

      case "evaluateDataLoss":
      case "createMigration":
        return this.withShadowDatabase(method, params);

      case "diff":
        return this.diff(params, rpc);

      case "reset":
        return this.reset(params);

      case "dbExecute":
        return this.dbExecute(params);

      case "createDatabase": {
        const url = this.urlOf(params?.datasource);
        return { databaseName: await databaseFor(url).createDatabase(url) };
      }

      case "debugPanic": {
        const engine = await this.engine();
        engine.debugPanic();
        return {};
      }

      default: {
        const error = new Error(`Method not found: ${method}`);
        error.rpcCode = -32601;
        throw error;
      }
    }
  }

  /** The URL behind a `DatasourceParam`; a schema-based one means the config's datasource. */
  urlOf(datasourceParam) {
    if (datasourceParam?.tag === "ConnectionString" || typeof datasourceParam?.url === "string") {
      return datasourceParam.url;
    }
    return this.datasource.url;
  }

  /**
   * Difference (2): the binary treats a missing `_prisma_migrations` table as
   * an empty history (that is how `migrate status` sees a fresh database); the
   * Wasm engine fails with P1014. Build the binary's answer: nothing applied,
   * so every migration on disk is unapplied.
   */
  async diagnoseMigrationHistory(params) {
    try {
      return await this.call("diagnoseMigrationHistory", params);
    } catch (error) {
      if (!isMissingMigrationsTable(error)) throw error;
      note("diagnoseMigrationHistory: no _prisma_migrations table; reporting an empty history");
      const unapplied = migrationNames(params?.migrationsList);
      return {
        editedMigrationNames: [],
        failedMigrationNames: [],
        hasMigrationsTable: false,
        history:
          unapplied.length > 0
            ? { diagnostic: "databaseIsBehind", unappliedMigrationNames: unapplied }
            : null,
      };
    }
  }

  /**
   * Difference (2), for commands that go on to write: where the binary starts
   * from an empty history (and creates the table when it writes), the Wasm
   * engine stops at P1014. Let the engine create its table the way it does
   * for `migrate deploy` — applying an empty list of migrations — and retry.
   */
  async withMigrationsTable(method, params) {
    try {
      return await this.call(method, params);
    } catch (error) {
      if (!isMissingMigrationsTable(error)) throw error;
      note(`${method}: no _prisma_migrations table; creating it and retrying`);
      await this.call("applyMigrations", {
        migrationsList: { ...params.migrationsList, migrationDirectories: [] },
        filters: params.filters ?? { externalTables: [], externalEnums: [] },
      });
      return this.call(method, params);
    }
  }

  /**
   * Difference (4): once the Wasm engine has applied migrations it no longer
   * holds a shadow database connection, and these two methods then fail with
   * "shadow DB must be provided". A read-only `diagnoseMigrationHistory` that
   * opts in to the shadow database reconnects it; then retry once.
   */
  async withShadowDatabase(method, params) {
    try {
      return await this.call(method, params);
    } catch (error) {
      if (!isShadowDbMissing(error)) throw error;
      note(`${method}: shadow database connection lost; reconnecting and retrying`);
      await this.diagnoseMigrationHistory({
        migrationsList: params.migrationsList,
        optInToShadowDatabase: true,
        filters: params.filters ?? { externalTables: [], externalEnums: [] },
      });
      return this.call(method, params);
    }
  }

  /**
   * Difference (5): the binary prints the diff itself through a `print`
   * request to the CLI and returns `stdout: null`; the Wasm engine returns the
   * text instead, and the CLI would never show it.
   */
  async diff(params, rpc) {
    const result = await this.call("diff", params);
    const text = result?.stdout;
    if (typeof text === "string" && text.length > 0) {
      // The CLI appends the newline itself.
      await rpc.call("print", { content: text.endsWith("\n") ? text.slice(0, -1) : text });
    }
    return { ...result, stdout: null };
  }

  /**
   * Difference (3): the Wasm engine's SQLite reset deletes rows but keeps the
   * tables; the binary leaves an empty database. Drop the schema objects. On
   * PostgreSQL its reset already drops and recreates the schema, as the
   * binary's does.
   */
  async reset(params) {
    if (postgresql.isPostgresqlUrl(this.datasource.url)) return (await this.call("reset", params)) ?? {};
    await this.withConnection(this.datasource.url, (connection) =>
      sqlite.resetDatabase(connection, params?.filter?.externalTables ?? []),
    );
    return {};
  }

  /** `db execute` sends a whole script: run it as one, as the binary does (adapter-pg's executeScript splits it at every `;`). */
  async dbExecute(params) {
    const target = params?.datasourceType;
    const url = target?.tag === "url" ? target.url : this.datasource.url;
    if (postgresql.isPostgresqlUrl(url)) {
      await postgresql.executeScript(url, params?.script ?? "");
      return {};
    }
    await this.withConnection(url, (connection) => sqlite.executeScript(connection, params?.script ?? ""));
    return {};
  }

  /**
   * Runs `fn` on the configured database through the engine's own connection
   * when it has one (it holds an exclusive lock), otherwise on a new one.
   */
  async withConnection(url, fn) {
    const sameDatabase =
      Boolean(this.datasource.url) &&
      !postgresql.isPostgresqlUrl(this.datasource.url) &&
      sqlite.sqlitePathFromUrl(url) === sqlite.sqlitePathFromUrl(this.datasource.url);
    const engineAdapter = [...this.openAdapters].find(([, role]) => role === "main")?.[0];
    const connection =
      sameDatabase && engineAdapter ? sqlite.connectionFromAdapter(engineAdapter) : sqlite.openConnection(url);
    try {
      return await fn(connection);
    } finally {
      await connection.close();
    }
  }

  async dispose() {
    for (const adapter of [...this.openAdapters.keys()]) {
      try {
        await adapter.dispose();
      } catch {
        // Closing on the way out: nothing useful to do with a failure.
      }
    }
  }
}

/**
 * Shapes an error like the binary's JSON-RPC errors, which the CLI reads:
 * `data.error_code` + `data.message` for user-facing errors, `data.is_panic`
 * for crashes.
 */
export function toRpcError(error) {
  if (error?.rpcCode) return { code: error.rpcCode, message: error.message };
  const message = error?.message ?? String(error);
  const data = { is_panic: false, message };
  if (typeof error?.code === "string" && error.code.length > 0) {
    data.error_code = error.code;
    data.meta = error.meta ?? null;
  } else {
    data.backtrace = null;
  }
  return { code: 4466, message: "An error happened. Check the data field for details.", data };
}
