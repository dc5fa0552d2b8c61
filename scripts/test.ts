// `npm test`: the whole suite — typecheck, unit and integration tests, browser tests.
// Installs Debian's Chromium and python3-dkim first when they are missing and we are root (as in CI).

import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function run(label: string, command: string, args: string[]): void {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env });
  if (result.status !== 0) {
    console.error(`\n✖ ${label} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    console.error(`Browser tests need Chromium at ${CHROMIUM}. Install it with: sudo apt-get install -y chromium (or set CHROMIUM_PATH).`);
    process.exit(1);
  }
  run("Installing Chromium from Debian", "bash", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null"]);
}

// DKIM tests verify with Debian's python3-dkim, an independent verifier. Debian's python3 may
// not be the first on PATH (pyenv), so both are asked.
function ensureDkimVerifier(): void {
  const canImportDkim = (python: string) => spawnSync(python, ["-c", "import dkim"], { stdio: "ignore" }).status === 0;
  if (canImportDkim("/usr/bin/python3") || canImportDkim("python3")) return;
  if (process.getuid?.() !== 0) {
    console.error("DKIM tests need Debian's python3-dkim. Install it with: sudo apt-get install -y python3-dkim");
    process.exit(1);
  }
  run("Installing python3-dkim from Debian", "bash", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-dkim >/dev/null"]);
}

const bin = (name: string) => path.resolve("node_modules/.bin", name);

ensureChromium();
ensureDkimVerifier();
run("Generating the Prisma clients (SQLite and PostgreSQL)", "npm", ["run", "--silent", "db:generate"]);
run("Typechecking", bin("tsc"), ["--noEmit"]);
run("Building the app (browser tests drive the production build)", bin("remix"), ["build"]);
// The server starts the one-click writer thread from its bundle; tests also run `npm run worker`.
run("Bundling the campaign worker and the one-click writer", "npm", ["run", "--silent", "build:worker"]);

const report = path.resolve("tests/.tmp-report.json");
console.log("\n▶ Unit, integration and browser tests");
const vitest = spawnSync(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`], {
  stdio: "inherit",
  env: process.env,
});
const results = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, "utf8")) : null;
fs.rmSync(report, { force: true });
if (results) {
  // The plain closing line CI reads.
  console.log(`\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`);
}
process.exit(vitest.status ?? 1);
