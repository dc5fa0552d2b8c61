import { afterAll, describe, expect, it } from "vitest";
import { createDb, db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { giveBackThrottle, takeThrottle } from "./throttle.server.ts";

// Several processes share one database: each of these clients is a connection of its own, as
// a second web process (or a PostgreSQL pool) would have.
const connections = Array.from({ length: 20 }, () => createDb(getEnv().DATABASE_URL));
afterAll(() => Promise.all(connections.map((c) => c.$disconnect())));

const MINUTE = 60_000;
const start = new Date("2026-11-22T10:00:00Z");

describe("a throttle", () => {
  it("lets exactly the limit through when 20 attempts arrive at once on 20 connections", async () => {
    const answers = await Promise.allSettled(connections.map((client) => takeThrottle("parallel:ip:203.0.113.9", 5, 15 * MINUTE, start, client)));
    expect(answers.filter((a) => a.status === "rejected")).toEqual([]);
    const allowed = answers.filter((a) => a.status === "fulfilled" && a.value.allowed);
    expect(allowed).toHaveLength(5);
    expect((await db.throttle.findUniqueOrThrow({ where: { key: "parallel:ip:203.0.113.9" } })).count).toBe(20);
  });

  it("starts a new window once the old one is over, and tells how long to wait until then", async () => {
    const key = "window:address:x";
    for (let i = 0; i < 3; i++) expect((await takeThrottle(key, 3, 15 * MINUTE, start)).allowed).toBe(true);
    expect(await takeThrottle(key, 3, 15 * MINUTE, new Date(start.getTime() + 10 * MINUTE))).toEqual({ allowed: false, retryAfterSeconds: 5 * 60 });
    expect(await takeThrottle(key, 3, 15 * MINUTE, new Date(start.getTime() + 15 * MINUTE))).toEqual({ allowed: true, retryAfterSeconds: 15 * 60 });
  });

  it("gives an attempt back (a sign-in that succeeded), never below zero", async () => {
    const key = "give-back:ip:x";
    await takeThrottle(key, 1, 15 * MINUTE, start);
    await giveBackThrottle(key);
    expect((await takeThrottle(key, 1, 15 * MINUTE, start)).allowed).toBe(true);
    await giveBackThrottle(key);
    await giveBackThrottle(key);
    expect((await db.throttle.findUniqueOrThrow({ where: { key } })).count).toBe(0);
  });
});
