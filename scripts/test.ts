// `npm test`: the whole suite — typecheck, unit and integration tests, browser tests.
// Installs Debian's Chromium first when it is missing and we are root (as in CI).

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

const bin = (name: string) => path.resolve("node_modules/.bin", name);

ensureChromium();
run("Generating the Prisma client", bin("prisma"), ["generate"]);
run("Typechecking", bin("tsc"), ["--noEmit"]);
run("Building the app (browser tests drive the production build)", bin("remix"), ["build"]);

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
