// What readDb's thread costs and what it buys (ADR 035): the same reads through db (main thread)
// and readDb (worker thread) on bench:scale's database, with how long the main event loop
// stood still during each. `BENCH_CONTACTS` sizes the database (default 100,000).
//   npx tsx bench/read-thread.ts

import { Prisma, type PrismaClient } from "../app/generated/prisma/client.ts";
import { createDb, createReadDb } from "../app/utils/db.server.ts";
import { scaleDatabase } from "./scale-seed.ts";

const contacts = Number(process.env.BENCH_CONTACTS ?? 100_000);
const { databaseFile, events } = await scaleDatabase(contacts);

/** Runs `work`, timing it and the longest wait of a 1 ms interval on the main thread meanwhile. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; longestStallMs: number; result: T }> {
  let last = performance.now();
  let longestStallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestStallMs = Math.max(longestStallMs, now - last);
    last = now;
  }, 1);
  const startedAt = performance.now();
  const result = await work();
  const ms = performance.now() - startedAt;
  longestStallMs = Math.max(longestStallMs, performance.now() - last);
  clearInterval(timer);
  return { ms, longestStallMs, result };
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const rssMb = () => process.memoryUsage().rss / 2 ** 20;

const db = createDb(databaseFile);
await db.$queryRaw`SELECT 1`;
const rssBefore = rssMb();
const readDb = createReadDb(databaseFile);
const start = await timed(() => readDb.$queryRaw`SELECT 1`);
await new Promise((resolve) => setTimeout(resolve, 200));
console.log(`${fmt(contacts)} contacts, ${fmt(events)} ledger events (${databaseFile})`);
console.log(`read thread: first read (thread start) ${fmt(start.ms)} ms; process RSS +${fmt(rssMb() - rssBefore)} MB`);

// Small keyed reads, the two clients taking turns in rounds of 1,000 so a busy machine weighs on both alike.
const ids = Array.from({ length: 1_000 }, (_, i) => 1 + ((i * 7919) % contacts));
const perQuery: Record<"db" | "readDb", number[]> = { db: [], readDb: [] };
const cpuPerQuery: Record<"db" | "readDb", number[]> = { db: [], readDb: [] };
const stalls: Record<"db" | "readDb", number> = { db: 0, readDb: 0 };
for (let round = 0; round < 11; round++) {
  for (const [name, client] of [["db", db], ["readDb", readDb]] as const) {
    const cpuBefore = process.cpuUsage(); // the whole process: both threads
    const { ms, longestStallMs } = await timed(async () => {
      for (const id of ids) await client.contact.findUnique({ where: { id } });
    });
    const cpu = process.cpuUsage(cpuBefore);
    if (round === 0) continue; // warm-up
    perQuery[name].push((ms * 1000) / ids.length);
    cpuPerQuery[name].push((cpu.user + cpu.system) / ids.length);
    stalls[name] = Math.max(stalls[name], longestStallMs);
  }
}
const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

const reads: [string, (client: PrismaClient) => Promise<unknown>][] = [
  ["1,000 ledger rows (findMany, one export batch)", (c) => c.consentEvent.findMany({ take: 1_000, orderBy: { id: "asc" } })],
  ["100,000 ledger rows (findMany)", (c) => c.consentEvent.findMany({ take: 100_000, orderBy: { id: "asc" } })],
  ["ledger count by unit and action (groupBy over all events)", (c) => c.consentEvent.groupBy({ by: ["unitId", "action"], _count: { _all: true } })],
  ["count to 3,000,000 (recursive CTE)", (c) => c.$queryRaw(Prisma.sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) FROM n`)],
];

const rows: string[] = [];
for (const [name, client] of [["db (main thread)", db], ["readDb (worker thread)", readDb]] as const) {
  const key = client === db ? "db" : "readDb";
  rows.push(`| ${name} | 10 × 1,000 findUnique one after another | ${fmt(median(perQuery[key]))} µs each (median round; rounds ${fmt(Math.min(...perQuery[key]))}–${fmt(Math.max(...perQuery[key]))}), process CPU ${fmt(median(cpuPerQuery[key]))} µs each | ${fmt(stalls[key], 1)} ms |`);
  for (const [read, run] of reads) {
    await run(client); // warm
    const best = [await timed(() => run(client)), await timed(() => run(client)), await timed(() => run(client))].sort((a, b) => a.ms - b.ms)[1];
    rows.push(`| ${name} | ${read} | ${fmt(best.ms)} ms | ${fmt(best.longestStallMs, 1)} ms |`);
  }
}
console.log("\n| client | work | time (median of 3 for the long reads) | longest main-thread stall |\n|---|---|---|---|");
console.log(rows.join("\n"));
await Promise.all([db.$disconnect(), readDb.$disconnect()]);
