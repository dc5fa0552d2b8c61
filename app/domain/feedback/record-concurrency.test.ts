import { afterAll, describe, expect, it } from "vitest";
import { createDb, db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { createContact } from "../../../tests/helpers/fixtures.ts";
import { testsOnPostgresql } from "../../../tests/helpers/test-database.ts";
import { recordFeedbackBatch } from "./record-batch.server.ts";

// A provider delivers one event to several web processes at once (its retry overlapping the
// first try). PostgreSQL: a connection each. SQLite: one process's requests share its one
// writing connection (another in the same process would block it waiting for the lock).
const connections = testsOnPostgresql ? Array.from({ length: 8 }, () => createDb(getEnv().DATABASE_URL)) : Array.from({ length: 8 }, () => db);
afterAll(() => Promise.all(connections.map((c) => (c === db ? undefined : c.$disconnect()))));

describe("one provider event recorded on many connections at once", () => {
  it("is stored and applied once; the others answer as duplicates", async () => {
    const contact = await createContact();
    const signal = { kind: "HARD_BOUNCE" as const, via: "SES" as const, recipient: contact.email, externalId: `evt-${contact.id}` };
    const answers = await Promise.allSettled(connections.map((client) => recordFeedbackBatch([signal], client)));
    expect(answers.filter((a) => a.status === "rejected")).toEqual([]);
    const results = answers.flatMap((a) => (a.status === "fulfilled" ? a.value : []));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await db.inboundMessage.count({ where: { externalId: signal.externalId } })).toBe(1);
    expect(await db.suppression.count({ where: { contactId: contact.id, reason: "HARD_BOUNCE" } })).toBe(1);
  });
});
