// Loads Prisma's schema engine compiled to WebAssembly and connects it to the
// SQLite database through the better-sqlite3 driver adapter.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { log } from "./log.mjs";
import { sqlitePathFromUrl, UserFacingError } from "./sqlite.mjs";

const require = createRequire(import.meta.url);
const GLUE_PATH = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");

/** The engine's git hash, taken from the package version (`8.1.0-2.<hash>`). */
export function engineVersion() {
  // package.json is not in the package's exports map; it sits beside the glue.
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(GLUE_PATH), "package.json"), "utf8"));
  return pkg.version.split(".").at(-1);
}

// The engine's Rust panic hook reports its message here just before the Wasm
// instance traps. After a panic the instance is unusable (the binary exits
// with 101), and a panic inside an async call may never settle its promise,
// so the registered handler is called from here rather than from a catch.
let lastPanicMessage = null;
let panicHandler = null;
globalThis.PRISMA_WASM_PANIC_REGISTRY = {
  set_message(message) {
    lastPanicMessage = message;
    setImmediate(() => panicHandler?.(message));
  },
};

export function onPanic(handler) {
  panicHandler = handler;
}

export function isWasmPanic(error) {
  return error instanceof WebAssembly.RuntimeError || lastPanicMessage !== null;
}

export function panicMessage(error) {
  return lastPanicMessage ?? error?.message ?? String(error);
}

let bindings;

/**
 * The package's own entry does `import * as wasm from "./x.wasm"`, which plain
 * Node cannot load, so instantiate the module by hand and hand it to the
 * wasm-bindgen glue, as that entry would.
 */
async function loadBindings() {
  if (bindings) return bindings;
  const glue = await import(GLUE_PATH);
  const bytes = fs.readFileSync(GLUE_PATH.replace(/\.js$/, ".wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  bindings = glue;
  return glue;
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
  return bindMigrationAwareSqlAdapterFactory(factory);
}

/**
 * Creates a Wasm engine. `datamodels` is a list of [path, content] pairs; the
 * engine wants `undefined` rather than an empty list.
 */
export async function createWasmEngine({ datamodels, datasource, onLog, openAdapters }) {
  const { SchemaEngine } = await loadBindings();
  const adapterFactory = createAdapterFactory(datasource, openAdapters);
  const engine = await SchemaEngine.new(
    { datamodels: datamodels?.length ? datamodels : undefined },
    onLog,
    adapterFactory,
  );
  return { engine, adapterFactory };
}
