import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { CLI_ACTOR } from "~/domain/audit/audit.server.ts";
import { ensureSigningKey, getKeyring, importLinkKey, keyringOf } from "./keyring.server.ts";
import { listSigningKeys, retireKey, rotateKeys } from "./keys.server.ts";
import { checkLink, signLinkToken, verifyLinkToken } from "./link-tokens.server.ts";
import { signedUnsubscribeUrl } from "./links.server.ts";
import { flushSignatureCounts, unwrittenSignatureCount, utcDay } from "./signature-counts.server.ts";

const link = { purpose: "unsubscribe" as const, contactId: 1, unitId: 1 };
const today = () => utcDay(new Date());

beforeAll(async () => {
  await ensureSigningKey();
});

async function usesOf(kid: string) {
  const key = await db.signingKey.findUniqueOrThrow({ where: { kid } });
  return db.signingKeyUse.findMany({ where: { keyId: key.id }, select: { day: true, count: true } });
}

describe("signature counts", () => {
  it("counts in memory and writes one row per key and day when flushed, adding to what is there", async () => {
    await flushSignatureCounts();
    const keyring = await getKeyring();
    for (let i = 0; i < 25; i++) signedUnsubscribeUrl(keyring, link);
    expect(unwrittenSignatureCount()).toBe(25);
    expect(await usesOf(keyring.signing!.kid)).toEqual([]);
    await flushSignatureCounts();
    expect(unwrittenSignatureCount()).toBe(0);
    expect(await usesOf(keyring.signing!.kid)).toEqual([{ day: today(), count: 25 }]);
    for (let i = 0; i < 5; i++) signedUnsubscribeUrl(keyring, link);
    // Two flushes at once write the counts once.
    await Promise.all([flushSignatureCounts(), flushSignatureCounts()]);
    expect(await usesOf(keyring.signing!.kid)).toEqual([{ day: today(), count: 30 }]);
  });

  it("does not count keyrings made by hand (tests, benchmarks): they are not keys of the table", async () => {
    signedUnsubscribeUrl(keyringOf(importLinkKey("hand", crypto.randomBytes(32).toString("base64url"))), link);
    expect(unwrittenSignatureCount()).toBe(0);
  });

  it("counts the links that go out, not every token signed", async () => {
    await flushSignatureCounts();
    signLinkToken(await getKeyring(), link);
    expect(unwrittenSignatureCount()).toBe(0);
  });

  it("shows 7- and 30-day totals per key, and which key signs new links", async () => {
    const signer = (await getKeyring()).signing!;
    await db.signingKeyUse.create({ data: { keyId: signer.id!, day: utcDay(new Date(Date.now() - 10 * 86_400_000)), count: 100 } });
    await db.signingKeyUse.create({ data: { keyId: signer.id!, day: utcDay(new Date(Date.now() - 40 * 86_400_000)), count: 1000 } });
    signedUnsubscribeUrl(await getKeyring(), link);
    // Not flushed yet: the listing writes this process's counts first.
    const row = (await listSigningKeys()).find((k) => k.kid === signer.kid)!;
    expect(row).toMatchObject({ signsNewLinks: true, signedLast7Days: 31, signedLast30Days: 131 });
  });
});

describe("rotation and retirement", () => {
  it("a rotated-in key signs from now on and the old one still verifies; retiring keeps only its opt-out links and is audited", async () => {
    const before = await getKeyring();
    const oldToken = signLinkToken(before, link);
    const oldPreferences = signLinkToken(before, { ...link, purpose: "preferences" });
    const { kid: newKid } = await rotateKeys(CLI_ACTOR);
    const after = await getKeyring();
    expect(after.signing!.kid).toBe(newKid);
    expect(verifyLinkToken(after, oldToken, "unsubscribe").contactId).toBe(1);

    expect(await retireKey(CLI_ACTOR, before.signing!.kid)).toEqual({ outcome: "retired", kid: before.signing!.kid, newKid: null });
    expect(checkLink(await getKeyring(), oldToken, "unsubscribe")).toMatchObject({ ok: true, claims: { optOutOnly: true } });
    expect(checkLink(await getKeyring(), oldPreferences, "preferences")).toEqual({ ok: false, failure: "retired-key" });
    expect(await retireKey(CLI_ACTOR, before.signing!.kid)).toEqual({ outcome: "not-active" });
    const audit = await db.auditEvent.findMany({ where: { action: { startsWith: "key." } }, orderBy: { id: "asc" }, select: { action: true, target: true, actorEmail: true } });
    expect(audit).toEqual([
      { action: "key.rotate", target: `key:${newKid}`, actorEmail: "cli" },
      { action: "key.retire", target: `key:${before.signing!.kid}`, actorEmail: "cli" },
    ]);
  });

  it("retiring the last active key creates a new one in the same step", async () => {
    for (const key of await db.signingKey.findMany({ where: { retiredAt: null }, orderBy: { id: "asc" } })) {
      const result = await retireKey(CLI_ACTOR, key.kid);
      expect(result.outcome).toBe("retired");
    }
    const active = await db.signingKey.findMany({ where: { retiredAt: null } });
    expect(active).toHaveLength(1);
    expect((await getKeyring()).signing!.kid).toBe(active[0].kid);
    const rotation = await db.auditEvent.findFirstOrThrow({ where: { action: "key.rotate" }, orderBy: { id: "desc" } });
    expect(rotation.target).toBe(`key:${active[0].kid}`);
  });
});
