import path from "node:path";
import { spawnSync } from "node:child_process";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { createContact, createUnit } from "../helpers/fixtures.ts";

// `npm run cli -- ledger export …`, run in its own process against this file's database: CSV on standard output only.

// A command that has finished must end its process: an open connection pool must not keep it
// waiting. PostgreSQL's pool closes an idle connection after 10 s, so a run still alive after
// 8 s is one that would have hung (it is killed, and status is null).
const FINISHED_COMMAND_EXITS_WITHIN_MS = 8000;

function ledgerExport(...args: string[]) {
  const result = spawnSync(path.resolve("node_modules/.bin/tsx"), ["app/cli/main.ts", "ledger", "export", ...args], {
    env: process.env,
    encoding: "utf8",
    timeout: FINISHED_COMMAND_EXITS_WITHIN_MS,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let unit: { id: number; slug: string };
let contact: { id: number; email: string };

beforeAll(async () => {
  unit = await createUnit({ slug: "cli-ledger-unit" });
  const other = await createUnit();
  contact = await createContact("cli.ledger@example.com");
  const day = (d: string) => new Date(`2026-06-${d}Z`);
  for (const [unitId, createdAt, contactId] of [
    [unit.id, day("01T00:00:00"), contact.id],
    [unit.id, day("02T12:00:00"), null],
    [unit.id, day("03T23:59:59.999"), contact.id],
    [unit.id, day("04T00:00:00"), contact.id],
    [other.id, day("02T12:00:00"), contact.id],
  ] as const) {
    await db.consentEvent.create({ data: { unitId, contactId, createdAt, action: "UNIT_OPT_OUT", source: "ONE_CLICK", userAgent: 'Mail "app", v2' } });
  }
});

describe("ledger export", () => {
  it("writes the unit's events of the chosen days as CSV, newest first, and records the export", async () => {
    const run = ledgerExport("--unit", "cli-ledger-unit", "--from", "2026-06-01", "--to", "2026-06-03");
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("Exported 3 ledger events.\n");
    const [header, ...rows] = parse(run.stdout) as string[][];
    expect(header.slice(0, 4)).toEqual(["event_id", "created_at", "contact_id", "email"]);
    expect(rows.map((r) => [r[1], r[3], r[4], r[13]])).toEqual([
      ["2026-06-03T23:59:59.999Z", contact.email, unit.slug, 'Mail "app", v2'],
      ["2026-06-02T12:00:00.000Z", "", unit.slug, 'Mail "app", v2'],
      ["2026-06-01T00:00:00.000Z", contact.email, unit.slug, 'Mail "app", v2'],
    ]);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "ledger.export" }, orderBy: { id: "desc" } });
    expect(audit).toMatchObject({ actorUserId: null, actorEmail: "cli" });
    expect(JSON.parse(audit.detail!)).toEqual({ filters: { unit: unit.slug, from: "2026-06-01", to: "2026-06-03" }, rows: 3 });
  });

  it("finds an address however it is typed", () => {
    const run = ledgerExport("--email", "  CLI.Ledger@Example.com ");
    expect(run.status).toBe(0);
    expect((parse(run.stdout) as string[][]).slice(1).map((r) => r[3])).toEqual(Array(4).fill(contact.email));
  });

  it("refuses a bad date or an unknown unit on standard error, with nothing on standard output", () => {
    const badDate = ledgerExport("--from", "2026-06-31");
    expect(badDate).toMatchObject({ status: 2, stdout: "" });
    expect(badDate.stderr).toContain("--from is not a date in the calendar.");
    const unknown = ledgerExport("--unit", "no-such-unit");
    expect(unknown).toMatchObject({ status: 1, stdout: "" });
    expect(unknown.stderr).toContain("There is no unit “no-such-unit”.");
  });
});
