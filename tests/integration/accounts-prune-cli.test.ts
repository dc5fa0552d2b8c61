import path from "node:path";
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { createSubscriber } from "../helpers/accounts.ts";

// `npm run cli -- accounts prune`, run as a person would, against this file's own database.

const DAY = 86_400_000;

function cli(...args: string[]) {
  const result = spawnSync(path.resolve("node_modules/.bin/tsx"), ["app/cli/main.ts", ...args], { env: process.env, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let stale: { id: number; email: string; contactId: number | null };
let active: { id: number };

beforeAll(async () => {
  stale = await createSubscriber({ email: "stale.member@example.com" });
  active = await createSubscriber();
  await db.user.update({ where: { id: stale.id }, data: { lastSignInAt: new Date(Date.now() - 100 * DAY), createdAt: new Date(Date.now() - 400 * DAY) } });
  await db.user.update({ where: { id: active.id }, data: { lastSignInAt: new Date(Date.now() - DAY) } });
});

describe("accounts prune", () => {
  it("--dry-run lists what it would delete (ids and masked emails) and deletes nothing", () => {
    const run = cli("accounts", "prune", "--inactive-days", "90", "--dry-run");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Would delete 1 account not used since \d{4}-\d{2}-\d{2} \(90 days\)\.$/m);
    expect(run.stdout).toContain(`  ${stale.id}\ts•••@example.com\tSUBSCRIBER\tlast used `);
    expect(run.stdout).not.toContain("stale.member");
    expect(run.stdout).toContain("Dry run: nothing was deleted.");
    return db.user.count({ where: { id: stale.id } }).then((n) => expect(n).toBe(1));
  });

  it("deletes the inactive account and keeps its contact", async () => {
    const run = cli("accounts", "prune", "--inactive-days", "90");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Deleted 1 account /m);
    expect(await db.user.count({ where: { id: stale.id } })).toBe(0);
    expect(await db.user.count({ where: { id: active.id } })).toBe(1);
    expect(await db.contact.count({ where: { id: stale.contactId! } })).toBe(1);
  });

  it("uses 730 days by default and explains a bad --inactive-days", () => {
    expect(cli("accounts", "prune", "--dry-run").stdout).toMatch(/\(730 days\)/);
    const bad = cli("accounts", "prune", "--inactive-days", "soon");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--inactive-days must be a whole number of days, 1 or more.");
  });
});
