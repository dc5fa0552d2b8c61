import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { containsText } from "~/utils/text-search.server.ts";
import { listAudit, recordAudit } from "./audit.server.ts";

// Staff search without minding case, on SQLite (LIKE ignores ASCII case) and on PostgreSQL (LIKE
// heeds it unless asked not to) alike.

describe("the audit log's search", () => {
  it("finds entries by a part of the actor's address and the start of the action, in any case", async () => {
    const who = `auditor-${crypto.randomUUID().slice(0, 8)}`;
    const actor = { userId: null, email: `${who}@example.com`, ip: null, userAgent: null };
    await recordAudit(db, actor, { action: "suppression.add", target: "suppression:1" });
    await recordAudit(db, actor, { action: "topic.create", target: "topic:1" });
    const actions = async (filter: Parameters<typeof listAudit>[0]) => (await listAudit(filter)).events.map((e) => e.action);
    expect(await actions({ actor: who.toUpperCase() })).toEqual(["topic.create", "suppression.add"]);
    expect(await actions({ actor: who, action: "Suppression." })).toEqual(["suppression.add"]);
    expect(await actions({ actor: who, action: "TOPIC" })).toEqual(["topic.create"]);
  });
});

describe("containsText", () => {
  it("matches stored text whatever the case of either side", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const contact = await db.contact.create({ data: { email: `case-${tag}@example.com`, name: `Ada Lovelace ${tag}` } });
    for (const search of ["ada love", "LOVELACE", `lace ${tag.toUpperCase()}`]) {
      expect((await db.contact.findMany({ where: { name: containsText(search), id: contact.id }, select: { id: true } })).map((c) => c.id), search).toEqual([contact.id]);
    }
    expect(await db.contact.count({ where: { name: containsText("Babbage"), id: contact.id } })).toBe(0);
  });
});
