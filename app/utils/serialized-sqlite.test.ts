import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { afterAll, describe, expect, it } from "vitest";
import { PrismaClient } from "~/generated/prisma/client.ts";
import { createDb } from "./db.server.ts";
import { getEnv } from "./env.server.ts";
import { serializedSqlite } from "./serialized-sqlite.server.ts";
import { testsOnPostgresql } from "../../tests/helpers/test-database.ts";

// One SQLite connection serves every request: a plain write must never become part of another
// request's open transaction (and be rolled back with it). SQLite only: on PostgreSQL each
// transaction has a connection of its own from the pool, and no queue is in between.

/** Calls `arrived` whenever a plain (non-transaction) query reaches the serialized adapter. */
function reportingPlainQueries(factory: SqlMigrationAwareDriverAdapterFactory, arrived: () => void): SqlMigrationAwareDriverAdapterFactory {
  const report = (adapter: SqlDriverAdapter): SqlDriverAdapter =>
    new Proxy(adapter, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        if (property !== "queryRaw" && property !== "executeRaw") return value.bind(target);
        return (...args: unknown[]) => {
          arrived();
          return value.apply(target, args);
        };
      },
    });
  return { ...factory, connect: async () => report(await factory.connect()), connectToShadowDb: async () => report(await factory.connectToShadowDb()) };
}

// The app's client (db.server.ts), seen from outside the queue: it says when a plain query is waiting at it.
let plainQueries = 0;
const db = new PrismaClient({
  adapter: reportingPlainQueries(serializedSqlite(new PrismaBetterSqlite3({ url: getEnv().databaseFile!, timeout: 5000 })), () => plainQueries++),
});
afterAll(() => db.$disconnect());

/** Polls until `n` more plain queries than `from` have reached the adapter. */
async function plainQueriesArrived(from: number, n: number) {
  for (let waited = 0; plainQueries < from + n; waited += 5) {
    if (waited > 10_000) throw new Error(`only ${plainQueries - from} of ${n} plain queries reached the adapter within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.skipIf(testsOnPostgresql)("the database client", () => {
  it("keeps a plain write made during another request's failing transaction", async () => {
    let insideTransaction!: () => void;
    const transactionStarted = new Promise<void>((resolve) => (insideTransaction = resolve));
    const failing = db
      .$transaction(async (tx) => {
        await tx.throttle.create({ data: { key: "inside-failed-transaction", windowStartsAt: new Date(), count: 1 } });
        const before = plainQueries;
        insideTransaction();
        // Stay open until both plain queries have reached the connection.
        await plainQueriesArrived(before, 2);
        throw new Error("this transaction fails");
      })
      .catch((error: Error) => error.message);

    await transactionStarted;
    // Issued while the transaction is open: it must wait, and neither see nor share its rows.
    const [seen, written] = await Promise.all([
      db.throttle.findUnique({ where: { key: "inside-failed-transaction" } }),
      db.throttle.create({ data: { key: "plain-write", windowStartsAt: new Date(), count: 1 } }),
    ]);
    expect(await failing).toBe("this transaction fails");
    expect(seen).toBeNull();
    expect(written.key).toBe("plain-write");
    expect((await db.throttle.findMany({ select: { key: true } })).map((t) => t.key)).toEqual(["plain-write"]);
  });
});

describe.skipIf(testsOnPostgresql)("a write transaction", () => {
  it("takes the write lock when it begins: a write committed elsewhere after its first read cannot fail it", async () => {
    // WAL, as npm start runs: a deferred transaction that read before another connection
    // committed could not write any more (SQLITE_BUSY_SNAPSHOT, no busy wait), and a one-click
    // failed with a 500 while a campaign was sending (bench:scale).
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "immediate-")), "test.db");
    fs.copyFileSync(getEnv().databaseFile!, file);
    new Database(file).pragma("journal_mode = WAL");
    const client = createDb(file);
    const otherProcess = new Database(file, { timeout: 0 });
    let otherWrote = false;
    try {
      await client.$transaction(async (tx) => {
        await tx.throttle.count();
        try {
          otherProcess.prepare(`INSERT INTO "Throttle" ("key", "windowStartsAt", "count") VALUES ('other', '2026-01-01T00:00:00.000+00:00', 1)`).run();
          otherWrote = true;
        } catch {
          // Refused at once (timeout 0): this transaction holds the write lock.
        }
        await tx.throttle.create({ data: { key: "mine", windowStartsAt: new Date(), count: 1 } });
      });
      expect(await client.throttle.count({ where: { key: "mine" } })).toBe(1);
      expect(otherWrote).toBe(false);
    } finally {
      otherProcess.close();
      await client.$disconnect();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
