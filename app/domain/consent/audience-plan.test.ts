import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { describe, expect, it } from "vitest";
import { PrismaClient } from "~/generated/prisma/client.ts";
import { db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { refreshQueryStatistics } from "~/utils/query-statistics.server.ts";
import { createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { findAudienceBatch } from "./audience.server.ts";
import type { PromotionalTarget } from "./eligibility.ts";
import { testsOnPostgresql } from "../../../tests/helpers/test-database.ts";

// The sender reads 500 contacts at a time for hours: each batch must walk the topic's index from
// the checkpoint, in contact order. A plan that sorts or walks Contact instead costs seconds per
// batch at a million contacts; statistics (or their absence) decide which plan SQLite picks.

const NOW = new Date("2026-06-01T12:00:00Z");
const COVERING_INDEX = "Subscription_topicId_channel_status_contactId_expiresAt_idx";

/** A big topic most contacts follow and a tiny one, with the exclusions sprinkled in. */
async function seedAudience() {
  const unit = await createUnit();
  const big = await createTopic(unit.id);
  const tiny = await createTopic(unit.id);
  await db.contact.createMany({ data: Array.from({ length: 400 }, (_, i) => ({ email: `plan${i}@example.com` })) });
  const contacts = await db.contact.findMany({ select: { id: true }, orderBy: { id: "asc" } });
  await db.subscription.createMany({
    data: contacts.flatMap(({ id }, i) => [
      ...(i % 10 === 0 ? [] : [{ contactId: id, topicId: big.id, channel: "EMAIL" as const, status: "SUBSCRIBED" as const, basis: "EXPRESS" as const, consentedAt: NOW }]),
      ...(i % 100 === 7 ? [{ contactId: id, topicId: tiny.id, channel: "EMAIL" as const, status: "SUBSCRIBED" as const, basis: "EXPRESS" as const, consentedAt: NOW }] : []),
      { contactId: id, topicId: big.id, channel: "POSTAL" as const, status: i % 3 ? ("SUBSCRIBED" as const) : ("UNSUBSCRIBED" as const), basis: "EXPRESS" as const, consentedAt: NOW },
    ]),
  });
  await db.unitOptOut.createMany({ data: contacts.filter((_, i) => i % 17 === 0).map(({ id }) => ({ contactId: id, unitId: unit.id, channel: "EMAIL" as const })) });
  await db.globalOptOut.createMany({ data: contacts.filter((_, i) => i % 50 === 3).map(({ id }) => ({ contactId: id, channel: "EMAIL" as const })) });
  await db.snooze.createMany({ data: contacts.filter((_, i) => i % 60 === 5).map(({ id }) => ({ contactId: id, unitId: unit.id, until: new Date(NOW.getTime() + 86_400_000) })) });
  // "Send me less" (ADR 043): a few choices, probed by key, must not turn the walk around.
  await db.frequencyChoice.createMany({ data: contacts.filter((_, i) => i % 40 === 9).map(({ id }) => ({ contactId: id, unitId: unit.id, frequency: "WEEKLY" as const })) });
  const targets: PromotionalTarget[] = [big, tiny].map((topic) => ({ unitId: unit.id, topicId: topic.id, channel: "EMAIL" }));
  return { targets, middle: contacts[200].id, last: contacts[contacts.length - 1].id };
}

/** The plan of the SQL one batch of the sender's enumeration runs, as Prisma sent it. */
async function planOfBatch(target: PromotionalTarget, page: { afterContactId: number; maxContactId: number }): Promise<string[]> {
  const statements: { query: string; params: string }[] = [];
  const logged = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: getEnv().databaseFile! }), log: [{ emit: "event", level: "query" }] });
  logged.$on("query", (event) => statements.push({ query: event.query, params: event.params }));
  try {
    await findAudienceBatch(logged, target, NOW, { ...page, take: 500 });
    const reads = statements.filter((s) => /^\s*SELECT/i.test(s.query));
    expect(reads).toHaveLength(1);
    const plan = await logged.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${reads[0].query}`, ...(JSON.parse(reads[0].params) as unknown[]));
    return plan.map((step) => step.detail);
  } finally {
    await logged.$disconnect();
  }
}

// SQLite's EXPLAIN QUERY PLAN: PostgreSQL's planner costs its plans by table size and picks a
// sequential scan of a test's few rows, so its plans are judged on real sizes (bench), not here.
describe.skipIf(testsOnPostgresql)("the sender's enumeration", () => {
  it("keeps its keyed plan once statistics exist beside the covering index", async () => {
    const { targets, middle, last } = await seedAudience();
    const [index] = await db.$queryRawUnsafe<{ sql: string }[]>(`SELECT sql FROM sqlite_master WHERE name = '${COVERING_INDEX}'`);
    expect(index?.sql).toMatch(/"topicId", "channel", "status", "contactId", "expiresAt"/);

    // Never analysed (as a database is after an upgrade), then after the product's optimize step.
    for (const statistics of ["none", "refreshed"]) {
      if (statistics === "refreshed") {
        // On a connection that has queried nothing yet, as at start-up.
        const starting = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: getEnv().databaseFile! }) });
        await refreshQueryStatistics(starting);
        await starting.$disconnect();
        const analysed = await db.$queryRawUnsafe<{ tbl: string }[]>(`SELECT DISTINCT tbl FROM sqlite_stat1 WHERE tbl IN ('Subscription', 'Contact')`);
        expect(analysed.map((row) => row.tbl).sort()).toEqual(["Contact", "Subscription"]);
      }
      for (const target of targets) {
        for (const afterContactId of [0, middle]) {
          const plan = await planOfBatch(target, { afterContactId, maxContactId: last });
          const where = `statistics ${statistics}, topic ${target.topicId} after ${afterContactId}:\n${plan.join("\n")}`;
          // The first step drives the batch: the covering index, bounded by the checkpoint, already in contact order.
          expect(plan[0], where).toMatch(new RegExp(`^SEARCH \\w+ USING COVERING INDEX ${COVERING_INDEX} \\(topicId=\\? AND channel=\\? AND status=\\? AND contactId>\\? AND contactId<\\?\\)$`));
          expect(plan.filter((step) => /TEMP B-TREE/.test(step)), where).toEqual([]);
          expect(plan.filter((step) => /^SCAN /.test(step)), where).toEqual([]);
          expect(plan.filter((step) => /Contact\b.*(INTEGER PRIMARY KEY|USING INDEX Contact)/.test(step)), where).toEqual([]);
        }
      }
    }
  });
});
