import { describe, expect, it } from "vitest";
import { db } from "./db.server.ts";

// One SQLite connection serves every request: a plain write must never become part of another
// request's open transaction (and be rolled back with it).

describe("the database client", () => {
  it("keeps a plain write made during another request's failing transaction", async () => {
    let insideTransaction!: () => void;
    const transactionStarted = new Promise<void>((resolve) => (insideTransaction = resolve));
    const failing = db
      .$transaction(async (tx) => {
        await tx.throttle.create({ data: { key: "inside-failed-transaction", windowStartsAt: new Date(), count: 1 } });
        insideTransaction();
        await new Promise((resolve) => setTimeout(resolve, 50));
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
