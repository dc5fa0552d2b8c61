import { afterAll, describe, expect, it } from "vitest";
import { createDb, db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { addressHash } from "~/domain/consent/address-hash.server.ts";
import { checkPasswordAgainstLockout, LOCKOUT } from "./lockout.server.ts";

// Twenty connections of their own, as several web processes (or a PostgreSQL pool) would have.
const connections = Array.from({ length: 20 }, () => createDb(getEnv().DATABASE_URL));
afterAll(() => Promise.all(connections.map((c) => c.$disconnect())));

const start = new Date("2026-11-22T10:00:00Z");

describe("the sign-in lockout", () => {
  it("checks at most five passwords when twenty guesses at one address arrive at once, and locks once", async () => {
    let checked = 0;
    const wrongGuess = async () => {
      checked++;
      await new Promise((resolve) => setImmediate(resolve)); // the hash takes time: other requests run meanwhile
      return false;
    };
    const answers = await Promise.allSettled(connections.map((client) => checkPasswordAgainstLockout("parallel@example.org", wrongGuess, start, client)));
    expect(answers.filter((a) => a.status === "rejected")).toEqual([]);
    const outcomes = answers.map((a) => (a as PromiseFulfilledResult<Awaited<ReturnType<typeof checkPasswordAgainstLockout>>>).value);
    expect(checked).toBe(LOCKOUT.maxFailures);
    expect(outcomes.filter((o) => o.outcome === "wrong")).toHaveLength(LOCKOUT.maxFailures - 1);
    expect(outcomes.filter((o) => o.outcome === "locked" && o.justLocked)).toHaveLength(1);
    const row = await db.signInLockout.findUniqueOrThrow({ where: { addressHash: addressHash("parallel@example.org") } });
    expect(row.lockedUntil).toEqual(new Date(start.getTime() + LOCKOUT.lockMs));
  });

  it("a right password starts the count again; a locked address is not checked at all", async () => {
    const email = "sequence@example.org";
    let checked = 0;
    const guess = (right: boolean) => async () => {
      checked++;
      return right;
    };
    for (let i = 0; i < LOCKOUT.maxFailures - 1; i++) expect(await checkPasswordAgainstLockout(email, guess(false), start)).toEqual({ outcome: "wrong" });
    expect(await checkPasswordAgainstLockout(email, guess(true), start)).toEqual({ outcome: "right" });
    for (let i = 0; i < LOCKOUT.maxFailures - 1; i++) expect(await checkPasswordAgainstLockout(email, guess(false), start)).toEqual({ outcome: "wrong" });
    const until = new Date(start.getTime() + LOCKOUT.lockMs);
    expect(await checkPasswordAgainstLockout(email, guess(false), start)).toEqual({ outcome: "locked", until, justLocked: true });
    checked = 0;
    expect(await checkPasswordAgainstLockout(email, guess(true), new Date(start.getTime() + 60_000))).toEqual({ outcome: "locked", until, justLocked: false });
    expect(checked).toBe(0);
    expect(await checkPasswordAgainstLockout(email, guess(true), until)).toEqual({ outcome: "right" });
  });
});
