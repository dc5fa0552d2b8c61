// Logging in the native engine's format: one JSON object per line on stderr,
// shaped like Rust's `tracing` JSON output. The Prisma CLI parses these lines:
// it keeps `fields.message` and remembers the last ERROR as the failure reason.

const LEVELS = { ERROR: 1, WARN: 2, INFO: 3, DEBUG: 4, TRACE: 5 };

// The CLI starts the engine with RUST_LOG=info; honour a plain level name only
// (full `tracing` filter directives are not worth parsing here).
function maxLevel() {
  const wanted = String(process.env.RUST_LOG ?? "info").toUpperCase();
  return LEVELS[wanted] ?? LEVELS.INFO;
}

export function writeLogLine(record) {
  process.stderr.write(JSON.stringify(record) + "\n");
}

export function log(level, fields, target = "schema_engine_cli") {
  if ((LEVELS[level] ?? LEVELS.INFO) > maxLevel()) return;
  writeLogLine({ timestamp: new Date().toISOString(), level, fields, target });
}

/**
 * Forwards a log line produced by the Wasm engine (already JSON, without a
 * timestamp). Anything that is not JSON is wrapped so stderr stays parseable.
 */
export function forwardEngineLog(line) {
  let record;
  try {
    record = JSON.parse(line);
  } catch {
    record = { level: "INFO", fields: { message: String(line) }, target: "schema_engine_wasm" };
  }
  if ((LEVELS[record.level] ?? LEVELS.INFO) > maxLevel()) return;
  writeLogLine({ timestamp: new Date().toISOString(), ...record });
}
