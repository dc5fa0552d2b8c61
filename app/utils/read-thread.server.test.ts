import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { Prisma } from "~/generated/prisma/client.ts";
import { createReadDb, db, readDb } from "./db.server.ts";
import { getEnv } from "./env.server.ts";
import { testsOnPostgresql } from "../../tests/helpers/test-database.ts";

// Long staff reads run on a read-only connection in a thread of their own, so the thread that
// answers people keeps answering while they run. Real SQLite, the test file's own database. On
// PostgreSQL readDb is a read-only pool of its own: the same reads, writes refused, and a read
// past maxReadMs cancelled; the thread's own mechanics are tested on SQLite only.

afterAll(() => Promise.all([db.$disconnect(), readDb.$disconnect()]));

/** Counts to `n` inside SQLite: a read that keeps the connection busy for a while, whatever the data. */
const longCount = (n: number) =>
  Prisma.sql`WITH RECURSIVE counter(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM counter WHERE i < ${n}) SELECT count(*) AS counted FROM counter`;

/** How the event loop fared while `work` ran: its ticks, and the longest wait between two. */
async function eventLoopDuring<T>(work: () => Promise<T>): Promise<{ result: T; ticks: number; longestGapMs: number; tookMs: number }> {
  let ticks = 0;
  let last = performance.now();
  let longestGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
    ticks++;
  }, 2);
  const startedAt = performance.now();
  try {
    const result = await work();
    const tookMs = performance.now() - startedAt;
    longestGapMs = Math.max(longestGapMs, performance.now() - last);
    return { result, ticks, longestGapMs, tookMs };
  } finally {
    clearInterval(timer);
  }
}

async function someConsentEvents() {
  const contact = await db.contact.create({ data: { email: `reader-${crypto.randomUUID()}@example.com`, name: null } });
  const unit = { id: 7 }; // the ledger keeps unit ids without a relation
  await db.consentEvent.createMany({
    data: [
      { contactId: contact.id, unitId: unit.id, channel: "EMAIL", action: "SUBSCRIBE", source: "PREFERENCE_CENTER", changed: true, actor: "contact", detail: '{"basis":"CONSENT"}', createdAt: new Date("2025-03-01T10:20:30.123Z") },
      { contactId: contact.id, unitId: null, channel: null, action: "UNSUBSCRIBE", source: "ONE_CLICK", changed: false, ip: "203.0.113.9", userAgent: "Mailbox/1.0 (é ✓)", createdAt: new Date("1999-12-31T23:59:59.999Z") },
      { contactId: contact.id, unitId: unit.id, topicId: null, channel: "POSTAL", action: "SUBSCRIBE", source: "ADMIN", campaignId: 2_147_483_647 },
    ],
  });
  return contact.id;
}

describe("readDb", () => {
  it("reads what db reads: dates, nulls, booleans, integers, big integers, enums, text, relations and aggregates", async () => {
    const contactId = await someConsentEvents();
    const reads = (client: typeof db) =>
      Promise.all([
        client.consentEvent.findMany({ where: { contactId }, orderBy: { id: "asc" }, include: { contact: true } }),
        client.contact.findUnique({ where: { id: contactId }, include: { consentEvents: { orderBy: { id: "desc" } } } }),
        client.consentEvent.groupBy({ by: ["action", "changed"], where: { contactId }, _count: { _all: true }, _max: { createdAt: true, campaignId: true }, orderBy: { action: "asc" } }),
        client.consentEvent.count({ where: { contactId, channel: null } }),
        client.$queryRaw<{ big: bigint; overInt32: bigint; missing: null; counted: bigint }[]>`
          SELECT 9007199254740993 AS big, 2147483648 AS "overInt32", NULL AS missing, count(*) AS counted FROM "ConsentEvent" WHERE "contactId" = ${contactId}`,
      ]);

    const [onThread, onMain] = await Promise.all([reads(readDb), reads(db)]);

    expect(onThread).toEqual(onMain);
    // Not two identical wrong answers: the rows are the ones written above, with their types.
    const [events, , , nullChannels, [raw]] = onThread;
    expect(events.map((e) => [e.action, e.changed, e.channel, e.createdAt instanceof Date])).toEqual([
      ["SUBSCRIBE", true, "EMAIL", true],
      ["UNSUBSCRIBE", false, null, true],
      ["SUBSCRIBE", true, "POSTAL", true],
    ]);
    expect(events[0].createdAt.toISOString()).toBe("2025-03-01T10:20:30.123Z");
    expect(events[1].userAgent).toBe("Mailbox/1.0 (é ✓)");
    expect(events[2].campaignId).toBe(2_147_483_647);
    expect(nullChannels).toBe(1);
    expect(raw).toEqual({ big: 9007199254740993n, overInt32: 2147483648n, missing: null, counted: 3n });
  });

  it("reads in a transaction: a batch and an interactive one, committed and rolled back", async () => {
    const contactId = await someConsentEvents();
    const batch = (client: typeof db) => client.$transaction([client.consentEvent.count({ where: { contactId } }), client.contact.findUnique({ where: { id: contactId } })]);
    expect(await batch(readDb)).toEqual(await batch(db));
    const interactive = await readDb.$transaction(async (tx) => [await tx.consentEvent.count({ where: { contactId } }), await tx.contact.count({ where: { id: contactId } })]);
    expect(interactive).toEqual([3, 1]);
    const rolledBack = await readDb
      .$transaction(async (tx) => {
        await tx.contact.count();
        throw new Error("given up");
      })
      .catch((error: Error) => error.message);
    expect(rolledBack).toBe("given up");
    expect(await readDb.contact.count({ where: { id: contactId } })).toBe(1); // the connection is usable after a rollback
  });

  it("sees a row as soon as db has committed it", async () => {
    const email = `committed-${crypto.randomUUID()}@example.com`;
    await db.contact.create({ data: { email } });
    expect(await readDb.contact.findUnique({ where: { email }, select: { email: true } })).toEqual({ email });
  });

  it("keeps the event loop turning while a long read runs", async () => {
    await readDb.$queryRaw`SELECT 1`; // the thread is up: time the read, not the start
    const { result, ticks, longestGapMs, tookMs } = await eventLoopDuring(() => readDb.$queryRaw<{ counted: bigint }[]>(longCount(2_000_000)));
    expect(result).toEqual([{ counted: 2_000_000n }]);
    expect(tookMs).toBeGreaterThan(150); // long enough that a stalled loop would show
    const seen = `${ticks} ticks, longest gap ${Math.round(longestGapMs)} ms, in a read of ${Math.round(tookMs)} ms`;
    expect(ticks, seen).toBeGreaterThan(10);
    expect(longestGapMs, seen).toBeLessThan(tookMs / 3);
  });

  it("runs reads side by side with db's queries: a short query on db answers while a long read runs", async () => {
    let longDone = false;
    const long = readDb.$queryRaw(longCount(2_000_000)).then(() => (longDone = true));
    const short = await db.contact.count();
    expect(short).toBeGreaterThan(0);
    expect(longDone).toBe(false);
    await long;
  });

  it("refuses a write with a clear error and writes nothing", async () => {
    const email = `not-written-${crypto.randomUUID()}@example.com`;
    await expect(readDb.contact.create({ data: { email } })).rejects.toThrow(/read-only|readonly/);
    await expect(readDb.$executeRaw`UPDATE "Contact" SET "name" = 'changed' WHERE "id" > 0`).rejects.toThrow(/read-only|readonly/);
    expect(await db.contact.findUnique({ where: { email } })).toBeNull();
    expect(await db.contact.count({ where: { name: "changed" } })).toBe(0);
  });

  it("fails a bad read with the same Prisma error as db", async () => {
    const failure = (client: typeof db, sql: string) =>
      client.$queryRawUnsafe(sql).then(
        () => null,
        (error: Prisma.PrismaClientKnownRequestError) => ({ type: error.constructor.name, code: error.code, meta: error.meta, message: error.message }),
      );
    for (const sql of ['SELECT * FROM "NoSuchTable"', 'SELECT "noSuchColumn" FROM "Contact"', "SELEC 1"]) {
      const [onThread, onMain] = await Promise.all([failure(readDb, sql), failure(db, sql)]);
      expect(onMain).not.toBeNull();
      expect(onThread).toEqual(onMain);
    }
  });

  it.runIf(testsOnPostgresql)("stops a read that runs too long on PostgreSQL: the statement is cancelled with a clear error, the next read answers", async () => {
    const reader = createReadDb(getEnv().DATABASE_URL, { maxReadMs: 300 });
    try {
      expect(await reader.contact.count()).toBe(await db.contact.count());
      await expect(reader.$queryRaw(longCount(1_000_000_000))).rejects.toThrow(/statement timeout/);
      expect(await reader.contact.count()).toBe(await db.contact.count());
    } finally {
      await reader.$disconnect();
    }
  });

  it.runIf(testsOnPostgresql)("keeps each long read to one core of the PostgreSQL server, as SQLite's one read thread: no parallel workers", async () => {
    // A parallel plan runs a count in three processes: on a small server that is every core, and people's requests queue behind it.
    const setting = async (client: typeof db) =>
      (await client.$queryRaw<{ value: string }[]>`SELECT current_setting('max_parallel_workers_per_gather') AS "value"`)[0].value;
    expect(await setting(readDb)).toBe("0");
    expect(await setting(db)).not.toBe("0"); // people's short requests keep the server's default
  });

  // The thread's own mechanics: PostgreSQL has no read thread.
  it.skipIf(testsOnPostgresql)("stops a read that runs too long: the reads its thread held fail clearly, the next read runs on a new thread", async () => {
    const reader = createReadDb(getEnv().databaseFile!, { maxReadMs: 300 });
    try {
      expect(await reader.contact.count()).toBe(await db.contact.count());
      const startedAt = performance.now();
      // Far past the bound even on a fast, quiet machine (2 million rows counted in under 300 ms there).
      const [tooLong, heldBehind] = await Promise.allSettled([reader.$queryRaw(longCount(20_000_000)), reader.contact.count()]);
      const failedAfterMs = performance.now() - startedAt;
      expect(tooLong.status === "rejected" && String(tooLong.reason)).toMatch(/read thread stopped before it answered \(a read went unanswered for 300 ms\)/);
      expect(heldBehind.status === "rejected" && String(heldBehind.reason)).toMatch(/read thread stopped before it answered/);
      expect(failedAfterMs).toBeLessThan(1000); // at the bound, not when SQLite is done counting
      // A fresh thread answers at once, while the stopped one may still be finishing its statement.
      expect(await reader.contact.count()).toBe(await db.contact.count());
    } finally {
      await reader.$disconnect();
    }
  });

  it.skipIf(testsOnPostgresql)("starts its thread in a script run with tsx, keeps the script alive while reading, and lets it exit when idle", async () => {
    const script = path.join(path.dirname(getEnv().databaseFile!), `read-thread-${crypto.randomUUID()}.ts`);
    const dbModule = path.resolve("app/utils/db.server.ts");
    // Nothing else keeps this script's event loop alive: the pending read must, and the idle thread must not.
    fs.writeFileSync(
      script,
      `import { Prisma } from ${JSON.stringify(path.resolve("app/generated/prisma/client.ts"))};
       import { readDb } from ${JSON.stringify(dbModule)};
       const [row] = await readDb.$queryRaw(Prisma.sql\`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 500000) SELECT count(*) AS n FROM c\`);
       console.log("counted", String(row.n));`,
    );
    try {
      const { stdout } = await promisify(execFile)(path.resolve("node_modules/.bin/tsx"), [script], { env: process.env, timeout: 20_000 });
      expect(stdout.trim()).toBe("counted 500000");
    } finally {
      fs.rmSync(script, { force: true });
    }
  });
});
