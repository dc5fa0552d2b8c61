// Times the ledger page's queries, one filter at a time, on a seeded scale database:
// DATABASE_URL=file:<copy of var/bench/scale-N-….db> npx tsx bench/ledger-scale.ts
import { chartPeriod, CHART_MAX_DAYS, parseLedgerQuery } from "~/domain/ledger/ledger-query.ts";
import { ledgerChart, ledgerFilterChoices, resolveLedgerQuery, searchLedger } from "~/domain/ledger/ledger.server.ts";
import { db } from "~/utils/db.server.ts";

const runs = Number(process.env.RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn: () => Promise<unknown>): Promise<number> {
  const spent: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    spent.push(performance.now() - t);
  }
  return median(spent);
}

const unit = await db.businessUnit.findFirstOrThrow({ orderBy: { id: "asc" } });
const topic = await db.topic.findFirstOrThrow({ orderBy: { id: "asc" } });
const someone = await db.consentEvent.findFirstOrThrow({ where: { contactId: { not: null } }, orderBy: { id: "desc" }, select: { contact: { select: { email: true } } } });
const newest = (await db.consentEvent.aggregate({ _max: { createdAt: true } }))._max.createdAt!;
const oldest = (await db.consentEvent.aggregate({ _min: { createdAt: true } }))._min.createdAt!;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const span = newest.getTime() - oldest.getTime();
const recent = day(newest.getTime() - 30 * 86_400_000);
const middle = day(oldest.getTime() + span / 2);
const old = day(oldest.getTime() + 30 * 86_400_000);

async function page(fields: Record<string, string>) {
  const parsed = parseLedgerQuery(fields);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const resolved = await resolveLedgerQuery(parsed.query);
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.errors));
  return searchLedger(resolved.scope);
}
async function secondPage(fields: Record<string, string>) {
  const first = await page(fields);
  return { before: String(first.nextBeforeId) };
}

const cases: [string, Record<string, string>][] = [
  ["no filter", {}],
  [`unit=${unit.slug}`, { unit: unit.slug }],
  [`topic=${topic.id}`, { topic: String(topic.id) }],
  ["source=IMPORT", { source: "IMPORT" }],
  ["source=PROVIDER (none)", { source: "PROVIDER" }],
  ["action=UNIT_OPT_OUT", { action: "UNIT_OPT_OUT" }],
  ["action=EXPORT (none)", { action: "EXPORT" }],
  ["campaign=1", { campaign: "1" }],
  ["email=…", { email: someone.contact!.email }],
  [`from=${recent}`, { from: recent }],
  [`from=${middle}`, { from: middle }],
  [`from=${old}`, { from: old }],
  [`to=${old}`, { to: old }],
  [`to=${middle}`, { to: middle }],
  [`from=to=${middle}`, { from: middle, to: middle }],
];
console.log(`ledger page at ${(await db.consentEvent.count()).toLocaleString("en-GB")} events, median of ${runs}`);
for (const [name, fields] of cases) {
  const ms = await time(() => page(fields));
  const next = await secondPage(fields).catch(() => null);
  const ms2 = next && next.before !== "null" ? await time(() => page({ ...fields, ...next })) : NaN;
  console.log(`${name.padEnd(32)} ${ms.toFixed(1).padStart(9)} ms   next page ${ms2.toFixed(1).padStart(9)} ms`);
}
for (const [name, u, fields] of [
  [`chart ${unit.slug}, last 30 days`, unit, {}],
  ["chart every unit, last 30 days", null, {}],
  [`chart ${unit.slug}, 366 days`, unit, { from: day(newest.getTime() - 365 * 86_400_000), to: day(newest.getTime()) }],
] as const) {
  const period = chartPeriod(fields, newest);
  if (period.days > CHART_MAX_DAYS) throw new Error("period");
  console.log(`${name.padEnd(32)} ${(await time(() => ledgerChart(u, period))).toFixed(1).padStart(9)} ms`);
}
console.log(`${"filter choices".padEnd(32)} ${(await time(() => ledgerFilterChoices())).toFixed(1).padStart(9)} ms`);
await db.$disconnect();
