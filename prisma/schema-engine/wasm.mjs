// Loads Prisma's schema engine compiled to WebAssembly and connects it to the
// database through the driver adapter factory of the URL's provider.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

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

/**
 * Creates a Wasm engine on a provider's adapter factory (see sqlite.mjs and
 * postgresql.mjs). `datamodels` is a list of [path, content] pairs; the engine
 * wants `undefined` rather than an empty list.
 */
export async function createWasmEngine({ datamodels, adapterFactory: factory, onLog }) {
  const { SchemaEngine } = await loadBindings();
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(factory);
  const engine = await SchemaEngine.new(
    { datamodels: datamodels?.length ? datamodels : undefined },
    onLog,
    adapterFactory,
  );
  return { engine, adapterFactory };
}
