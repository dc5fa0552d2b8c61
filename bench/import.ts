// `npm run bench:import`: a 100,000-row contact CSV imported into a fresh, migrated SQLite
// file through the app's own import (the same code as the CLI and the page), then imported
// again. Prints rows/s and seconds for both runs, and checks the outcome: every row
// subscribed on the first run, nothing written on the second.
//
// Environment: BENCH_ROWS (default 100000). Exit status: 0 checks passed, 1 a check failed
// (or the first run took a minute or more), 2 the benchmark itself could not run.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import Database from "better-sqlite3";

const ROOT = path.resolve(import.meta.dirname, "..");
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const GOAL_SECONDS = 60;
// Each address gets this many rows (topic × channel pairs), as a real export of subscriptions would.
const PAIRS = [
  ["offers", "email"],
  ["offers", "postal"],
  ["news", "email"],
  ["offers", "phone"],
] as const;
const BASES = ["express", "implied_purchase", "implied_inquiry", "soft_opt_in", "legitimate_interest"] as const;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-import-"));
const cleanUp = () => fs.rmSync(dir, { recursive: true, force: true });
process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

const databaseFile = path.join(dir, "bench.db");
const csvFile = path.join(dir, "contacts.csv");

function migrate(): void {
  try {
    execFileSync(path.join(ROOT, "node_modules/.bin/prisma"), ["migrate", "deploy"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: `file:${databaseFile}` },
      stdio: "pipe",
      timeout: 120_000,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    console.error(`prisma migrate deploy failed:\n${stdout ?? ""}${stderr ?? ""}`);
    process.exit(2);
  }
}

/** Bench setup, not app code: one unit with two topics, straight into SQLite. */
function seedUnit(): void {
  const db = new Database(databaseFile);
  db.pragma("journal_mode = WAL");
  const now = new Date().toISOString().replace("Z", "+00:00");
  const unitId = db
    .prepare(
      `INSERT INTO BusinessUnit (slug, displayName, legalName, postalAddress, fromName, fromEmail, sendingDomain, oneClickScope, createdAt, updatedAt)
       VALUES ('bench', 'Bench Brand', 'Bench Brand Ltd', '1 Load Street', 'Bench Brand', 'news@bench.example.com', 'bench.example.com', 'UNIT', ?, ?)`,
    )
    .run(now, now).lastInsertRowid;
  const topic = db.prepare(`INSERT INTO Topic (unitId, slug, name, offersEmail, offersPostal, offersPhone, createdAt) VALUES (?, ?, ?, 1, ?, ?, ?)`);
  topic.run(unitId, "offers", "Offers", 1, 1, now);
  topic.run(unitId, "news", "News", 0, 0, now);
  db.close();
}

function writeCsv(): void {
  const lines = ["email,name,topic,channel,basis,consented_at,source,postal_address,phone"];
  // Recent enough that no implied consent has expired: every row lands.
  const base = Date.now() - 90 * 86_400_000;
  for (let i = 0; i < ROWS; i++) {
    const person = Math.floor(i / PAIRS.length);
    const [topic, channel] = PAIRS[i % PAIRS.length];
    const consentedAt = new Date(base + (person % 80) * 86_400_000).toISOString();
    const address = `"${person} Bench Road, Apt ${person % 50}\nTestville"`;
    lines.push(`person.${person}@bench.example.com,Person ${person},${topic},${channel},${BASES[person % BASES.length]},${consentedAt},checkout ${2025 + (person % 2)},${address},+44 20 7946 ${String(person % 10000).padStart(4, "0")}`);
  }
  fs.writeFileSync(csvFile, `${lines.join("\n")}\n`);
}

migrate();
seedUnit();
writeCsv();
process.env.DATABASE_URL = `file:${databaseFile}`;
process.env.ADDRESS_HASH_KEY = "bench-address-hash-key-0123456789abcdef";
process.env.SESSION_SECRET = "bench-session-secret-0123456789abcdef";
process.env.NODE_ENV = "production";

// Imported here, not at the top: the module creates the app's db client from DATABASE_URL on load.
const { db } = await import("../app/utils/db.server.ts");
const { findImportUnit, importContacts, skippedTotal } = await import("../app/domain/imports/contact-import.server.ts");
const unit = (await findImportUnit("bench"))!;
const sizeMb = (fs.statSync(csvFile).size / 1024 / 1024).toFixed(1);
console.log(`${ROWS.toLocaleString("en-US")} rows (${sizeMb} MB, ${PAIRS.length} rows per address) into a fresh SQLite file, ${os.cpus().length} cores`);

async function run(label: string) {
  const started = performance.now();
  const report = await importContacts({ unitId: unit.id, input: { path: csvFile }, actor: "bench" });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${label}: ${seconds.toFixed(2)} s, ${Math.round(report.rows / seconds).toLocaleString("en-US")} rows/s ` +
      `(subscribed ${report.subscribed}, unchanged ${report.unchanged}, skipped ${skippedTotal(report)}, bad ${report.bad})`,
  );
  return { report, seconds };
}

const counts = async () => ({ subscriptions: await db.subscription.count(), events: await db.consentEvent.count(), contacts: await db.contact.count() });

const first = await run("first import ");
const afterFirst = await counts();
const second = await run("same file again");
const afterSecond = await counts();
console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
await db.$disconnect();

const failures: string[] = [];
if (first.report.subscribed !== ROWS) failures.push(`first run subscribed ${first.report.subscribed} of ${ROWS} rows`);
if (afterFirst.subscriptions !== ROWS || afterFirst.events !== ROWS) failures.push(`after the first run: ${JSON.stringify(afterFirst)}`);
if (second.report.unchanged !== ROWS) failures.push(`second run left ${second.report.unchanged} of ${ROWS} rows unchanged`);
if (JSON.stringify(afterSecond) !== JSON.stringify(afterFirst)) failures.push(`the second run wrote rows: ${JSON.stringify(afterSecond)}`);
if (first.seconds >= GOAL_SECONDS) failures.push(`the first run took ${first.seconds.toFixed(1)} s (goal < ${GOAL_SECONDS} s)`);
for (const failure of failures) console.error(`✖ ${failure}`);
if (failures.length === 0) console.log(`✔ ${afterFirst.contacts} contacts, ${afterFirst.subscriptions} subscriptions, ${afterFirst.events} ledger events; the second run wrote nothing`);
process.exitCode = failures.length === 0 ? 0 : 1;
