import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AuditActor } from "~/domain/audit/audit.server.ts";
import { dkimDnsRecord } from "~/domain/mail/dkim.server.ts";
import { db } from "~/utils/db.server.ts";
import { createUnit, unitForAdmin, updateUnit } from "./unit-admin.server.ts";

// Creating and editing units as an admin: what is stored, what the audit log says (never the
// key), what a page may read (never the key), and bounce domains across units.

const ADMIN: AuditActor = { userId: 1, email: "admin@example.com", ip: "203.0.113.9", userAgent: "test" };
const pem = (key: crypto.KeyObject) => key.export({ type: "pkcs8", format: "pem" }).toString();
const KEY_A = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const KEY_B = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const keyBody = (key: crypto.KeyObject) => pem(key).split("\n")[3];

let n = 0;
function form(changes: Record<string, string> = {}): Record<string, string> {
  n++;
  return {
    slug: `garden-${n}-${crypto.randomBytes(2).toString("hex")}`,
    displayName: "Acme Garden",
    legalName: "Acme Garden Supplies Ltd",
    postalAddress: "4 Potting Shed Row\nGreenfield",
    contactEmail: "help@garden.example.com",
    fromName: "Acme Garden",
    fromEmail: "news@garden.example.com",
    sendingDomain: "garden.example.com",
    brandColor: "#2e7d32",
    oneClickScope: "UNIT",
    ...changes,
  };
}

async function auditFor(unitId: number) {
  const rows = await db.auditEvent.findMany({ where: { target: `unit:${unitId}` }, orderBy: { id: "asc" } });
  return rows.map((row) => ({ action: row.action, detail: JSON.parse(row.detail ?? "null") as Record<string, unknown>, actorEmail: row.actorEmail, ip: row.ip }));
}

describe("creating a unit", () => {
  it("stores it with an audit entry in the same transaction, and refuses a slug in use", async () => {
    const fields = form({ dkimSelector: "pc2026", dkimPrivateKey: pem(KEY_A.privateKey) });
    const result = await createUnit(ADMIN, fields);
    expect(result).toEqual({ ok: true, slug: fields.slug, changed: [], warnings: [] });
    const unit = await db.businessUnit.findUniqueOrThrow({ where: { slug: fields.slug } });
    expect(unit).toMatchObject({ displayName: "Acme Garden", dkimSelector: "pc2026", dkimPrivateKey: pem(KEY_A.privateKey) });
    const [entry] = await auditFor(unit.id);
    expect(entry).toMatchObject({ action: "unit.create", actorEmail: "admin@example.com", ip: "203.0.113.9" });
    expect(entry.detail).toEqual({ slug: fields.slug, displayName: "Acme Garden", dkimPrivateKey: expect.stringMatching(/^stored \(SHA256:/) });

    expect(await createUnit(ADMIN, { ...fields, displayName: "Another" })).toEqual({ ok: false, errors: { slug: `There is already a unit with the slug ${fields.slug}: choose another.` } });
    expect(await db.businessUnit.count({ where: { slug: fields.slug } })).toBe(1);
  });

  it("writes nothing, audit included, when a field is bad", async () => {
    const fields = form({ fromEmail: "news@elsewhere.example.org" });
    const before = await db.auditEvent.count();
    const result = await createUnit(ADMIN, fields);
    expect(result.ok).toBe(false);
    expect(await db.businessUnit.count({ where: { slug: fields.slug } })).toBe(0);
    expect(await db.auditEvent.count()).toBe(before);
  });
});

describe("editing a unit", () => {
  it("names the changed fields in the audit log, the key only as added, replaced or removed, and never shows the key", async () => {
    const fields = form();
    await createUnit(ADMIN, fields);
    const { id } = await db.businessUnit.findUniqueOrThrow({ where: { slug: fields.slug } });

    expect(await updateUnit(ADMIN, fields.slug, { ...fields, displayName: "Acme Garden Centre", dkimSelector: "pc2026", dkimPrivateKey: pem(KEY_A.privateKey) })).toMatchObject({
      ok: true,
      changed: ["displayName", "dkimSelector", "dkimPrivateKey: added"],
    });
    const page = await unitForAdmin(fields.slug);
    expect(JSON.stringify(page)).not.toContain(keyBody(KEY_A.privateKey));
    expect(page.dkimKey).toEqual({ bits: 2048, fingerprint: expect.stringMatching(/^SHA256:/), record: dkimDnsRecord(KEY_A.publicKey, "pc2026", "garden.example.com") });

    // The edit form sends the stored values back with the key field empty: nothing changes.
    expect(await updateUnit(ADMIN, fields.slug, { ...fields, displayName: "Acme Garden Centre", dkimSelector: "pc2026", dkimPrivateKey: "" })).toMatchObject({ ok: true, changed: [] });
    expect(await updateUnit(ADMIN, fields.slug, { ...fields, displayName: "Acme Garden Centre", dkimSelector: "pc2026", dkimPrivateKey: pem(KEY_B.privateKey) })).toMatchObject({
      changed: ["dkimPrivateKey: replaced"],
    });
    expect(await updateUnit(ADMIN, fields.slug, { ...fields, displayName: "Acme Garden Centre", dkimSelector: "pc2026", removeDkimKey: "on" })).toMatchObject({
      changed: ["dkimSelector", "dkimPrivateKey: removed"],
    });
    expect(await db.businessUnit.findUniqueOrThrow({ where: { id } })).toMatchObject({ dkimPrivateKey: null, dkimSelector: null, slug: fields.slug });

    const entries = await auditFor(id);
    expect(entries.map((e) => [e.action, e.detail.changed ?? null])).toEqual([
      ["unit.create", null],
      ["unit.update", ["displayName", "dkimSelector", "dkimPrivateKey: added"]],
      ["unit.update", ["dkimPrivateKey: replaced"]],
      ["unit.update", ["dkimSelector", "dkimPrivateKey: removed"]],
    ]);
    const everything = JSON.stringify(await db.auditEvent.findMany());
    expect(everything).not.toContain("PRIVATE KEY");
    expect(everything).not.toContain(keyBody(KEY_A.privateKey));
    expect(everything).not.toContain(keyBody(KEY_B.privateKey));
  });

  it("never changes the slug", async () => {
    const fields = form();
    await createUnit(ADMIN, fields);
    expect(await updateUnit(ADMIN, fields.slug, { ...fields, slug: "renamed", legalName: "Acme Garden Group Ltd" })).toMatchObject({ ok: true, slug: fields.slug, changed: ["legalName"] });
    expect(await db.businessUnit.count({ where: { slug: "renamed" } })).toBe(0);
  });
});

describe("bounce domains across units", () => {
  it("lets units share a bounce domain but never take another unit's sending or address domain, either way round", async () => {
    const first = form({ bounceDomain: "bounces.example.com" });
    expect(await createUnit(ADMIN, first)).toMatchObject({ ok: true });
    // Another unit of the same company returns its mail to the same domain: its addresses name their delivery.
    const second = form({ sendingDomain: "shop.example.com", fromEmail: "news@shop.example.com", contactEmail: "help@shop.example.com", bounceDomain: "bounces.example.com" });
    expect(await createUnit(ADMIN, second)).toMatchObject({ ok: true });

    const taker = form({ sendingDomain: "tools.example.com", fromEmail: "news@tools.example.com", contactEmail: "help@tools.example.com", bounceDomain: "shop.example.com" });
    expect(await createUnit(ADMIN, taker)).toEqual({
      ok: false,
      errors: {
        bounceDomain: `The bounce domain shop.example.com is the unit ${second.slug}'s sending domain: its MX must point at the bounce server, which refuses all other mail. Use a subdomain that receives no other mail, like bounces.tools.example.com, or leave it empty for that.`,
      },
    });
    // The other way round: sending from a domain that is already a bounce domain.
    const sender = form({ sendingDomain: "bounces.example.com", fromEmail: "news@bounces.example.com", contactEmail: "help@garden.example.com" });
    expect(await createUnit(ADMIN, sender)).toMatchObject({ ok: false, errors: { sendingDomain: expect.stringMatching(/^bounces\.example\.com is the bounce domain of the unit /) } });
    expect(await db.businessUnit.count({ where: { slug: { in: [taker.slug, sender.slug] } } })).toBe(0);

    // Editing: the field is saved and named like any other; a unit is never compared with itself.
    expect(await updateUnit(ADMIN, first.slug, { ...first, bounceDomain: "returns.garden.example.com" })).toMatchObject({ ok: true, changed: ["bounceDomain"] });
    expect(await updateUnit(ADMIN, first.slug, { ...first, bounceDomain: "" })).toMatchObject({ ok: true, changed: ["bounceDomain"] });
    expect((await db.businessUnit.findUniqueOrThrow({ where: { slug: first.slug } })).bounceDomain).toBe(null);
  });
});
