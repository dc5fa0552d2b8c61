import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { db } from "~/utils/db.server.ts";
import { CLI_ACTOR } from "~/domain/audit/audit.server.ts";
import { getKeyring, importLinkKey, keyringOf, rotateSigningKey, type Keyring } from "./keyring.server.ts";
import { retireKey, revokeKey } from "./keys.server.ts";
import { LinkTokenError, signLinkToken, verifyLinkToken } from "./link-tokens.server.ts";

function keyringWith(kid: string): Keyring {
  return keyringOf(importLinkKey(kid, crypto.randomBytes(32).toString("base64url")));
}

function failureOf(verify: () => unknown): string {
  try {
    verify();
  } catch (error) {
    if (error instanceof LinkTokenError) return error.failure;
    throw error;
  }
  throw new Error("expected the token to be rejected");
}

const link = { purpose: "unsubscribe" as const, contactId: 42, unitId: 3, topicId: 7, campaignId: 9, channel: "EMAIL" as const };

describe("link tokens", () => {
  it("round-trips every claim", async () => {
    const keyring = keyringWith("k1");
    const now = new Date("2026-01-01T00:00:00Z");
    const token = signLinkToken(keyring, { ...link, now });
    const claims = verifyLinkToken(keyring, token, "unsubscribe", now);
    expect(claims).toMatchObject({ purpose: "unsubscribe", contactId: 42, unitId: 3, topicId: 7, campaignId: 9, channel: "EMAIL" });
    expect(claims.issuedAt).toEqual(now);
    expect(claims.expiresAt).toEqual(new Date("2027-02-05T00:00:00Z")); // 400 days
    expect(claims.tokenId).toMatch(/^[\w-]{16}$/);
    const header = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString());
    expect(header).toEqual({ alg: "HS256", kid: "k1" });
  });

  it("omits optional claims and gives each token a unique id", async () => {
    const keyring = keyringWith("k1");
    const a = verifyLinkToken(keyring, signLinkToken(keyring, { purpose: "preferences", contactId: 1, unitId: 2 }), "preferences");
    const b = verifyLinkToken(keyring, signLinkToken(keyring, { purpose: "preferences", contactId: 1, unitId: 2 }), "preferences");
    expect(a).toMatchObject({ topicId: null, campaignId: null, channel: "EMAIL" });
    expect(a.tokenId).not.toBe(b.tokenId);
  });

  it("never issues a link that lives less than 60 days", async () => {
    const keyring = keyringWith("k1");
    const now = new Date("2026-01-01T00:00:00Z");
    const claims = verifyLinkToken(keyring, signLinkToken(keyring, { ...link, lifetimeDays: 1, now }), "unsubscribe", now);
    expect(claims.expiresAt).toEqual(new Date("2026-03-02T00:00:00Z"));
  });

  it("rejects a token with one flipped bit, in the signature or in the payload", async () => {
    const keyring = keyringWith("k1");
    const token = signLinkToken(keyring, link);
    const [header, payload, signature] = token.split(".");
    const flip = (segment: string) => {
      const bytes = Buffer.from(segment, "base64url");
      bytes[0] ^= 1;
      return bytes.toString("base64url");
    };
    expect(failureOf(() => verifyLinkToken(keyring, `${header}.${payload}.${flip(signature)}`, "unsubscribe"))).toBe("bad-signature");
    expect(failureOf(() => verifyLinkToken(keyring, `${header}.${flip(payload)}.${signature}`, "unsubscribe"))).toMatch(/bad-signature|malformed/);
  });

  it("rejects a truncated token", async () => {
    const keyring = keyringWith("k1");
    const token = signLinkToken(keyring, link);
    expect(failureOf(() => verifyLinkToken(keyring, token.slice(0, -5), "unsubscribe"))).toBe("bad-signature");
    expect(failureOf(() => verifyLinkToken(keyring, token.split(".").slice(0, 2).join("."), "unsubscribe"))).toBe("malformed");
  });

  it("rejects a kid the keyring does not know", async () => {
    const signer = keyringWith("other");
    const verifier = keyringWith("k1");
    const token = signLinkToken(signer, link);
    expect(failureOf(() => verifyLinkToken(verifier, token, "unsubscribe"))).toBe("unknown-key");
  });

  it("rejects an expired token", async () => {
    const keyring = keyringWith("k1");
    const token = signLinkToken(keyring, { ...link, now: new Date("2020-01-01T00:00:00Z") });
    expect(failureOf(() => verifyLinkToken(keyring, token, "unsubscribe"))).toBe("expired");
  });

  it("rejects a token made for another purpose", async () => {
    const keyring = keyringWith("k1");
    const token = signLinkToken(keyring, { ...link, purpose: "preferences" });
    expect(failureOf(() => verifyLinkToken(keyring, token, "unsubscribe"))).toBe("wrong-purpose");
  });

  it("rejects a correctly signed token whose unit claim has the wrong type", async () => {
    const keyring = keyringWith("k1");
    const token = await new SignJWT({ u: "3", ch: "e" })
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setSubject("42")
      .setAudience("unsubscribe")
      .setIssuedAt()
      .setExpirationTime("1d")
      .setJti("abc")
      .sign(keyring.signing!.key);
    expect(failureOf(() => verifyLinkToken(keyring, token, "unsubscribe"))).toBe("invalid-claims");
  });

  it("rejects a correctly signed token whose channel names an object property or whose subject is not a positive integer", async () => {
    const keyring = keyringWith("k1");
    const signed = (claims: Record<string, unknown>, subject = "42") =>
      new SignJWT({ u: 3, ch: "e", ...claims })
        .setProtectedHeader({ alg: "HS256", kid: "k1" })
        .setSubject(subject)
        .setAudience("unsubscribe")
        .setIssuedAt()
        .setExpirationTime("1d")
        .setJti("abc")
        .sign(keyring.signing!.key);
    expect(verifyLinkToken(keyring, await signed({}), "unsubscribe").channel).toBe("EMAIL");
    for (const ch of ["toString", "__proto__", "constructor", "hasOwnProperty"]) {
      const token = await signed({ ch });
      expect([ch, failureOf(() => verifyLinkToken(keyring, token, "unsubscribe"))]).toEqual([ch, "invalid-claims"]);
    }
    for (const subject of ["1.5", "0x1", "1e3", " 42", "042", "-1", "0", "99999999999999999999", "toString"]) {
      const token = await signed({}, subject);
      expect([subject, failureOf(() => verifyLinkToken(keyring, token, "unsubscribe"))]).toEqual([subject, "invalid-claims"]);
    }
  });

  it('rejects a token signed with alg "none"', async () => {
    const keyring = keyringWith("k1");
    const genuine = signLinkToken(keyring, link);
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const payload = genuine.split(".")[1];
    const header = encode({ alg: "none", kid: "k1" });
    expect(failureOf(() => verifyLinkToken(keyring, `${header}.${payload}.`, "unsubscribe"))).toBe("malformed");
    expect(failureOf(() => verifyLinkToken(keyring, `${header}.${payload}.${genuine.split(".")[2]}`, "unsubscribe"))).toBe("malformed");
  });

  it("signs with the newest key; a retired key still verifies opt-out links only; a revoked key verifies nothing", async () => {
    const { kid: first } = await rotateSigningKey(db);
    const oldUnsubscribe = signLinkToken(await getKeyring(db), link);
    const oldPreferences = signLinkToken(await getKeyring(db), { ...link, purpose: "preferences" });
    const { kid: second } = await rotateSigningKey(db);
    const keyring = await getKeyring(db);
    expect(keyring.signing?.kid).toBe(second);
    const newToken = signLinkToken(keyring, link);
    expect(JSON.parse(Buffer.from(newToken.split(".")[0], "base64url").toString()).kid).toBe(second);
    expect(verifyLinkToken(keyring, oldUnsubscribe, "unsubscribe")).toMatchObject({ contactId: 42, optOutOnly: false });

    expect(await retireKey(CLI_ACTOR, first)).toMatchObject({ outcome: "retired" });
    const afterRetirement = await getKeyring(db);
    expect(verifyLinkToken(afterRetirement, oldUnsubscribe, "unsubscribe")).toMatchObject({ contactId: 42, optOutOnly: true });
    expect(failureOf(() => verifyLinkToken(afterRetirement, oldPreferences, "preferences"))).toBe("retired-key");
    expect(verifyLinkToken(afterRetirement, newToken, "unsubscribe")).toMatchObject({ contactId: 42, optOutOnly: false });

    expect(await revokeKey(CLI_ACTOR, first)).toMatchObject({ outcome: "revoked", kid: first });
    const afterRevocation = await getKeyring(db);
    expect(failureOf(() => verifyLinkToken(afterRevocation, oldUnsubscribe, "unsubscribe"))).toBe("revoked-key");
    expect(failureOf(() => verifyLinkToken(afterRevocation, oldPreferences, "preferences"))).toBe("revoked-key");
    expect(verifyLinkToken(afterRevocation, newToken, "unsubscribe").contactId).toBe(42);
  });
});
