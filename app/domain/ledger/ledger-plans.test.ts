import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "~/generated/prisma/client.ts";
import { db } from "~/utils/db.server.ts";
import { CLI_ACTOR } from "~/domain/audit/audit.server.ts";
import { createUnit } from "../../../tests/helpers/fixtures.ts";
import { dayRange, type LedgerQuery } from "./ledger-query.ts";
import { exportLedger, LEDGER_PAGE_SIZE, resolveLedgerQuery, searchLedger, sortedRangeSql, walkSql, type LedgerLimits, type LedgerScope } from "./ledger.server.ts";
import { testsOnPostgresql } from "../../../tests/helpers/test-database.ts";

// The ledger's order is by id, newest first, and ids are not in createdAt order (each writer
// stamps its own time): every way a date search finds its ids must give the same exact pages.

async function scopeOf(query: LedgerQuery): Promise<LedgerScope> {
  const resolved = await resolveLedgerQuery(query);
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.errors));
  return resolved.scope;
}

async function plan(sql: Prisma.Sql): Promise<string> {
  const rows = await db.$queryRaw<{ detail: string }[]>(Prisma.sql`EXPLAIN QUERY PLAN ${sql}`);
  return rows.map((r) => r.detail).join(" | ");
}

// SQLite's EXPLAIN QUERY PLAN: PostgreSQL's planner costs its plans by table size and picks a
// sequential scan of a test's few rows, so its plans are judged on real sizes (bench), not here.
describe.skipIf(testsOnPostgresql)("the ledger's statements", () => {
  it("walk an index newest first for every filter, with no sort of the matching events", async () => {
    const unit = await createUnit();
    const topic = await db.topic.create({ data: { unitId: unit.id, slug: "plans", name: "Plans" } });
    const contact = await db.contact.create({ data: { email: "plans@example.com" } });
    const queries: LedgerQuery[] = [
      {},
      { unit: unit.slug },
      { topic: topic.id },
      { source: "ONE_CLICK" },
      { action: "UNIT_OPT_OUT" },
      { campaign: 7 },
      { email: contact.email },
      { unit: unit.slug, from: "2026-01-01" },
      { from: "2026-01-01" },
      { to: "2026-01-01" },
      { from: "2026-01-01", to: "2026-01-31" },
    ];
    for (const query of queries) {
      const steps = await plan(walkSql(await scopeOf(query), [Prisma.sql`"id" < ${1000}`], LEDGER_PAGE_SIZE + 1));
      expect(steps, JSON.stringify(query)).not.toMatch(/TEMP B-TREE/);
      if (Object.keys(query).some((key) => key !== "from" && key !== "to")) expect(steps, JSON.stringify(query)).toMatch(/^SEARCH .*USING (COVERING )?INDEX/);
    }
    // A small date range is read on a createdAt index, then its ids sorted.
    const sorted = await plan(sortedRangeSql(await scopeOf({ from: "2026-01-01", to: "2026-01-01" }), 1000, LEDGER_PAGE_SIZE + 1));
    expect(sorted).toMatch(/USING COVERING INDEX ConsentEvent_createdAt_id_idx \(createdAt>\? AND createdAt<\?\)/);
    const sortedInUnit = await plan(sortedRangeSql(await scopeOf({ unit: unit.slug, to: "2026-01-01" }), 1000, LEDGER_PAGE_SIZE + 1));
    expect(sortedInUnit).toMatch(/USING COVERING INDEX ConsentEvent_unitId_createdAt\w* \(unitId=\? AND createdAt<\?\)/);
  });
});

describe("a date search over ids out of createdAt order", () => {
  let unitSlug = "";
  const from = "2026-02-10";
  const to = "2026-02-12";
  beforeAll(async () => {
    const unit = await createUnit();
    unitSlug = unit.slug;
    // A fixed shuffle of minutes over 2026-02-08 to 2026-02-15, so ids and times disagree.
    const minutes = Array.from({ length: 400 }, (_, i) => (i * 7919) % (8 * 24 * 60));
    const times = minutes.map((m) => new Date(Date.parse("2026-02-08T00:00:00Z") + m * 60_000));
    // The edges of the range, and 120 events at one instant (paged across with the same time).
    const edges = ["2026-02-09T23:59:59.999Z", "2026-02-10T00:00:00.000Z", "2026-02-12T23:59:59.999Z", "2026-02-13T00:00:00.000Z"].map((t) => new Date(t));
    const sameInstant = Array.from({ length: 120 }, () => new Date("2026-02-11T12:00:00.000Z"));
    const all = [...times.slice(0, 200), ...edges, ...sameInstant, ...times.slice(200), ...edges];
    await db.consentEvent.createMany({
      data: all.map((createdAt, i) => ({ unitId: i % 5 === 0 ? null : unit.id, action: "UNIT_OPT_OUT" as const, source: "ADMIN" as const, createdAt })),
    });
  });

  const expectedIds = async (query: LedgerQuery) =>
    (
      await db.consentEvent.findMany({
        where: { createdAt: dayRange(query.from, query.to), ...(query.unit ? { unitId: (await scopeOf(query)).unit!.id } : {}) },
        orderBy: { id: "desc" },
        select: { id: true },
      })
    ).map((e) => e.id);

  // Window holds everything; a small window then the sorted range; a small window then the walk.
  const limitsToTry: [string, LedgerLimits][] = [
    ["a window holding every id", { sortedRange: 10_000, dateWindow: 10_000 }],
    ["the sorted range", { sortedRange: 10_000, dateWindow: 30 }],
    ["the walk", { sortedRange: 20, dateWindow: 30 }],
  ];

  it("lists exactly the events of the days asked, 'to' day included, page after page, by each plan", async () => {
    const queries: LedgerQuery[] = [{ from, to }, { from }, { to }, { from: to, to }, { unit: unitSlug, from, to }, { unit: unitSlug, to: from }];
    for (const query of queries) {
      const expected = await expectedIds(query);
      expect(expected.length, JSON.stringify(query)).toBeGreaterThan(LEDGER_PAGE_SIZE);
      for (const [name, limits] of limitsToTry) {
        const listed: number[] = [];
        let before: number | undefined;
        do {
          const page = await searchLedger(await scopeOf({ ...query, before }), db, limits);
          listed.push(...page.entries.map((e) => e.id));
          before = page.nextBeforeId ?? undefined;
        } while (before !== undefined);
        expect(listed, `${JSON.stringify(query)} by ${name}`).toEqual(expected);
      }
    }
  });

  it("exports exactly the counted events, in batches, by each plan", async () => {
    for (const [name, limits] of limitsToTry) {
      const query = { unit: unitSlug, from, to };
      const exported = await exportLedger(CLI_ACTOR, await scopeOf(query), { batchSize: 7, limits });
      const [, ...rows] = parse(await new Response(exported.csv).text()) as string[][];
      const expected = await expectedIds(query);
      expect(rows.map((r) => Number(r[0])), name).toEqual(expected);
      expect(exported.rows, name).toBe(expected.length);
    }
  });
});
