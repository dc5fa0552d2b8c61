import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { errors, jwtVerify, SignJWT } from "jose";
import { importLinkKey, type Keyring } from "./keyring.server.ts";
import { LinkTokenError, signLinkToken, verifyLinkToken, type LinkTokenFailure } from "./link-tokens.server.ts";

// Link tokens are signed and checked with node:crypto instead of jose (ADRs 014 and 015). This
// holds signLinkToken to jose's SignJWT, used as the product used it before, and
// verifyLinkToken to jose's own jwtVerify, on genuine tokens, on hand-made headers and claims,
// and on thousands of mutated tokens.

const NOW = new Date("2026-06-01T12:00:00Z");
const NOW_S = Math.floor(NOW.getTime() / 1000);

function keyrings() {
  const active = importLinkKey("active", crypto.randomBytes(32).toString("base64url"));
  // A key that verifies nothing: what a revoked key is now (a retired one still verifies opt-outs).
  const retired = importLinkKey("retired", crypto.randomBytes(32).toString("base64url"));
  const keyring: Keyring = { signing: active, verifying: new Map([[active.kid, active]]), optOutOnly: new Map(), revoked: new Set([retired.kid]) };
  return { keyring, active, retired };
}

/** The previous implementation: jose's jwtVerify and how its errors were named. */
async function joseOutcome(keyring: Keyring, token: string): Promise<"accepted" | LinkTokenFailure> {
  if (token.length > 2048 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return "malformed";
  try {
    await jwtVerify(
      token,
      (header) => {
        const key = header.kid ? keyring.verifying.get(header.kid) : undefined;
        if (key) return key.key;
        throw new LinkTokenError(header.kid && keyring.revoked.has(header.kid) ? "revoked-key" : "unknown-key");
      },
      { algorithms: ["HS256"], audience: "unsubscribe", requiredClaims: ["sub", "exp", "iat", "jti"], currentDate: NOW },
    );
    return "accepted";
  } catch (error) {
    if (error instanceof LinkTokenError) return error.failure;
    if (error instanceof errors.JWTExpired) return "expired";
    if (error instanceof errors.JWSSignatureVerificationFailed) return "bad-signature";
    if (error instanceof errors.JWTClaimValidationFailed) return error.claim === "aud" ? "wrong-purpose" : "invalid-claims";
    return "malformed";
  }
}

function ourOutcome(keyring: Keyring, token: string): "accepted" | LinkTokenFailure {
  try {
    verifyLinkToken(keyring, token, "unsubscribe", NOW);
    return "accepted";
  } catch (error) {
    if (error instanceof LinkTokenError) return error.failure;
    throw error;
  }
}

const b64 = (text: string) => Buffer.from(text).toString("base64url");

/** A token with any header and payload text, signed with HS256 under the given secret key. */
function handMade(header: unknown, payload: unknown, hmacKey: crypto.KeyObject): string {
  const text = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
  const input = `${b64(text(header))}.${b64(text(payload))}`;
  return `${input}.${crypto.createHmac("sha256", hmacKey).update(input).digest("base64url")}`;
}

/** Claims a genuine link carries (u, ch, sub are the product's own and always well-formed here). */
const genuineClaims = { u: 3, ch: "e", sub: "42", aud: "unsubscribe", iat: NOW_S - 60, exp: NOW_S + 86_400, jti: "abcdefghijklmnop" };

describe("signLinkToken signs what jose's SignJWT signs", () => {
  it("byte for byte, for every purpose, channel and optional claim, and jose's jwtVerify accepts it", async () => {
    const { keyring, active } = keyrings();
    const inputs = [
      { purpose: "unsubscribe" as const, contactId: 42, unitId: 3, topicId: 7, campaignId: 9, channel: "EMAIL" as const },
      { purpose: "unsubscribe" as const, contactId: 1, unitId: 12, channel: "POSTAL" as const, lifetimeDays: 1 },
      { purpose: "unsubscribe" as const, contactId: 987_654_321, unitId: 1, campaignId: 4, channel: "PHONE" as const, lifetimeDays: 1000 },
      { purpose: "preferences" as const, contactId: 5, unitId: 2 },
      { purpose: "preferences" as const, contactId: 5, unitId: 2, topicId: null, campaignId: null },
    ];
    for (const input of inputs) {
      const token = signLinkToken(keyring, { ...input, now: NOW });
      // The token id is random: jose signs the same one, with the claims the product gave SignJWT.
      const { jti, exp } = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as { jti: string; exp: number };
      const claims: Record<string, unknown> = { u: input.unitId, ch: { EMAIL: "e", POSTAL: "p", PHONE: "t" }[input.channel ?? "EMAIL"] };
      if (input.topicId != null) claims.t = input.topicId;
      if (input.campaignId != null) claims.c = input.campaignId;
      const days = Math.min(400, Math.max(60, input.lifetimeDays ?? 400));
      expect(exp).toBe(NOW_S + days * 86_400);
      const byJose = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", kid: active.kid })
        .setSubject(String(input.contactId))
        .setAudience(input.purpose)
        .setIssuedAt(NOW_S)
        .setExpirationTime(NOW_S + days * 86_400)
        .setJti(jti)
        .sign(active.key);
      expect(token).toBe(byJose);
      const verified = await jwtVerify(token, active.key, { algorithms: ["HS256"], audience: input.purpose, currentDate: NOW });
      expect(verified.payload).toMatchObject({ sub: String(input.contactId), u: input.unitId, jti });
    }
  });
});

describe("verifyLinkToken agrees with jose's jwtVerify", () => {
  it("on hand-made headers and registered claims", async () => {
    const { keyring, active, retired } = keyrings();
    const headers: unknown[] = [
      { alg: "HS256", kid: "active" },
      { alg: "HS256", kid: "retired" },
      { alg: "HS256", kid: "nobody" },
      { alg: "HS256" },
      { alg: "HS256", kid: 7 },
      { alg: "HS512", kid: "active" },
      { alg: "none", kid: "active" },
      { kid: "active" },
      { alg: "HS256", kid: "active", typ: "JWT" },
      [{ alg: "HS256", kid: "active" }],
      "null",
      "not json",
    ];
    const { exp: _exp, iat: _iat, aud: _aud, jti: _jti, sub: _sub, ...withoutRegistered } = genuineClaims;
    const payloads: unknown[] = [
      genuineClaims,
      { ...genuineClaims, exp: NOW_S },
      { ...genuineClaims, exp: NOW_S - 1 },
      { ...genuineClaims, exp: NOW_S + 1 },
      { ...genuineClaims, exp: String(NOW_S + 60) },
      { ...genuineClaims, exp: null },
      { ...genuineClaims, iat: "yesterday" },
      { ...genuineClaims, iat: null },
      { ...genuineClaims, nbf: NOW_S + 60 },
      { ...genuineClaims, nbf: NOW_S - 60 },
      { ...genuineClaims, nbf: NOW_S },
      { ...genuineClaims, nbf: "soon" },
      { ...genuineClaims, aud: "preferences" },
      { ...genuineClaims, aud: ["preferences", "unsubscribe"] },
      { ...genuineClaims, aud: ["preferences"] },
      { ...genuineClaims, aud: 1 },
      { ...withoutRegistered, iat: NOW_S, exp: NOW_S + 60, jti: "x", sub: "42" },
      { ...withoutRegistered, aud: "unsubscribe", exp: NOW_S + 60, jti: "x", sub: "42" },
      { ...withoutRegistered, aud: "unsubscribe", iat: NOW_S, jti: "x", sub: "42" },
      { ...withoutRegistered, aud: "unsubscribe", iat: NOW_S, exp: NOW_S + 60, sub: "42" },
      { ...withoutRegistered, aud: "unsubscribe", iat: NOW_S, exp: NOW_S + 60, jti: "x" },
      [genuineClaims],
      "null",
      "{",
    ];
    let compared = 0;
    for (const header of headers) {
      for (const payload of payloads) {
        for (const key of [active, retired]) {
          const token = handMade(header, payload, key.key);
          expect({ token, header, payload, outcome: ourOutcome(keyring, token) }).toEqual({
            token,
            header,
            payload,
            outcome: await joseOutcome(keyring, token),
          });
          compared++;
        }
      }
    }
    expect(compared).toBe(headers.length * payloads.length * 2);
  });

  it("on genuine links and on thousands of mutated ones", async () => {
    const { keyring } = keyrings();
    // Seeded, so a disagreement can be replayed.
    let seed = 20261122;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const genuine = signLinkToken(keyring, { purpose: "unsubscribe", contactId: 1 + i, unitId: 3, topicId: i % 2 ? 7 : null, now: NOW });
      expect(ourOutcome(keyring, genuine)).toBe("accepted");
      for (let m = 0; m < 100; m++) {
        const at = random(genuine.length);
        const char = alphabet[random(alphabet.length)];
        const mutated = [
          genuine.slice(0, at) + char + genuine.slice(at + 1),
          genuine.slice(0, at) + genuine.slice(at + 1),
          genuine.slice(0, at) + char + genuine.slice(at),
          genuine.slice(0, at),
        ][m % 4];
        const ours = ourOutcome(keyring, mutated);
        expect({ mutated, ours }).toEqual({ mutated, ours: await joseOutcome(keyring, mutated) });
        outcomes.set(ours, (outcomes.get(ours) ?? 0) + 1);
      }
    }
    // The mutations reached every layer: the format, the header, the signature.
    expect([...outcomes.keys()]).toEqual(expect.arrayContaining(["malformed", "bad-signature", "unknown-key"]));
  });

  it("is stricter than jose on one point: a `crit` header, which this product never sets, is refused", async () => {
    const { keyring, active } = keyrings();
    const token = handMade({ alg: "HS256", kid: "active", crit: ["b64"], b64: true }, genuineClaims, active.key);
    expect(await joseOutcome(keyring, token)).toBe("accepted");
    expect(ourOutcome(keyring, token)).toBe("malformed");
  });
});
