#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary, built on the
// WebAssembly engine from @prisma/schema-engine-wasm. The Prisma CLI runs it
// because prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY here. It speaks
// the binary's command line and JSON-RPC protocol; see
// docs/decisions/002-schema-engine-stand-in.md for why and for its limits.
import fs from "node:fs";
import { log } from "./log.mjs";
import { Session, toRpcError } from "./methods.mjs";
import { startRpcServer } from "./rpc.mjs";
import { databaseFor } from "./databases.mjs";
import { engineVersion, isWasmPanic, onPanic, panicMessage } from "./wasm.mjs";

function parseArgs(argv) {
  const args = { datamodels: [], datasource: undefined, cli: undefined, version: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`Missing value for ${arg}`);
      return argv[++i];
    };
    if (arg === "--version" || arg === "-V") args.version = true;
    else if (arg === "--help" || arg === "-h") args.help = true;
    else if (arg === "--datamodels" || arg === "-d") args.datamodels.push(value());
    else if (arg.startsWith("--datamodels=")) args.datamodels.push(arg.slice("--datamodels=".length));
    else if (arg === "--datasource") args.datasource = JSON.parse(value());
    else if (arg.startsWith("--datasource=")) args.datasource = JSON.parse(arg.slice("--datasource=".length));
    // Accepted for compatibility; neither affects SQLite or PostgreSQL here.
    else if (arg === "--enabled-preview-features" || arg === "--extension-types") value();
    else if (arg === "cli") {
      args.cli = argv[i + 1];
      break;
    } else throw new Error(`Unknown argument: ${arg}`);
  }
  return args;
}

const USAGE = `schema-engine (Wasm stand-in)
USAGE:
    schema-engine [--datamodels <FILE>...] [--datasource <JSON>] [cli <SUBCOMMAND>]
When no subcommand is given, serves JSON-RPC over stdio.
SUBCOMMANDS (cli): can-connect-to-database, create-database, drop-database`;

/** `cli <subcommand>`: one action, reported through stderr logs and the exit code. */
async function runCliCommand(command, datasource) {
  // The CLI skips the first stderr line when reading errors: the binary
  // always starts with this one.
  log("INFO", { message: "Starting schema engine CLI", git_hash: engineVersion() });
  try {
    const url = datasource?.url;
    const database = databaseFor(url);
    let message;
    if (command === "can-connect-to-database") {
      await database.canConnect(url);
      message = "Connection successful";
    } else if (command === "create-database") {
      const name = await database.createDatabase(url);
      message = `Database '${name}' was successfully created.`;
    } else if (command === "drop-database") {
      await database.dropDatabase(url);
      message = "The database was successfully dropped.";
    } else {
      throw new Error(`Unknown cli subcommand: ${command}`);
    }
    log("INFO", { message });
    process.exit(0);
  } catch (error) {
    log(
      "ERROR",
      { is_panic: false, error_code: error.code ?? "", message: error.message },
      "schema_engine::logger",
    );
    process.exit(1);
  }
}

/** The binary reports a panic on stderr and exits 101; the CLI turns that into its crash report. */
function exitWithPanic(error) {
  log("ERROR", { is_panic: true, message: panicMessage(error), backtrace: error?.stack ?? "" }, "schema_engine::logger");
  process.exit(101);
}

function runRpcServer(args) {
  const datamodels = args.datamodels.map((file) => [file, fs.readFileSync(file, "utf8")]);
  const session = new Session({ datamodels, datasource: args.datasource });
  onPanic((message) => exitWithPanic(new Error(message)));
  log("INFO", { message: "Starting schema engine RPC server", git_hash: engineVersion() });

  // The CLI ends a session by closing our stdin and, on Unix, sending SIGTERM
  // right after. Close the connections either way: killed with them open,
  // better-sqlite3 leaves a (harmless, zeroed) dev.db-journal behind, and a
  // temporary PostgreSQL shadow database would be left on the server.
  let shuttingDown = false;
  const shutdown = async () => {
    if (shuttingDown) return;
    shuttingDown = true;
    await session.dispose();
    process.exit(0);
  };
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      log("INFO", { message: `Received ${signal}` });
      void shutdown();
    });
  }

  startRpcServer({
    async handle(request, rpc) {
      try {
        const result = await session.run(request.method, request.params, rpc);
        return { result: result ?? {} };
      } catch (error) {
        if (isWasmPanic(error)) exitWithPanic(error);
        log("DEBUG", { message: `${request.method} failed: ${error?.message ?? error}` });
        return { error: toRpcError(error) };
      }
    },
    onClose: shutdown,
  });
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exit(1);
  }
  if (args.version) {
    process.stdout.write(`schema-engine-cli ${engineVersion()}\n`);
    return;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.cli !== undefined) return runCliCommand(args.cli, args.datasource);
  runRpcServer(args);
}

void main();
