import crypto from "node:crypto";
import type { JWTPayload } from "jose";
import type { Channel } from "~/domain/consent/channels.ts";
import type { Keyring } from "./keyring.server.ts";
import { DEFAULT_LIFETIME_DAYS, MAXIMUM_LIFETIME_DAYS, MINIMUM_LIFETIME_DAYS } from "./key-ids.ts";

// Link tokens: HS256 JWS with a kid header, see docs/decisions/003-link-tokens.md.
// Claim names are short because the token travels in every unsubscribe URL.

/** What a link lets its holder do: unsubscribe from one unit, or open the preference center. */
export type LinkPurpose = "unsubscribe" | "preferences";

export type LinkClaims = {
  purpose: LinkPurpose;
  contactId: number;
  unitId: number;
  topicId: number | null;
  campaignId: number | null;
  channel: Channel;
  issuedAt: Date;
  expiresAt: Date;
  /** Unique id, copied onto every ConsentEvent the link causes. */
  tokenId: string;
  /** Signed by a retired key: the link may still opt its contact out, and do nothing else. */
  optOutOnly: boolean;
};

export { DEFAULT_LIFETIME_DAYS, MAXIMUM_LIFETIME_DAYS, MINIMUM_LIFETIME_DAYS };

const CHANNEL_CODE: Record<Channel, string> = { EMAIL: "e", POSTAL: "p", PHONE: "t" };
const CODE_CHANNEL: Record<string, Channel> = { e: "EMAIL", p: "POSTAL", t: "PHONE" };

export type LinkTokenFailure =
  | "malformed"
  | "bad-signature"
  | "unknown-key"
  | "retired-key"
  | "revoked-key"
  | "expired"
  | "wrong-purpose"
  | "invalid-claims";

export class LinkTokenError extends Error {
  name = "LinkTokenError";
  constructor(readonly failure: LinkTokenFailure) {
    super(`Link token rejected: ${failure}`);
  }
}

/**
 * Signs a link token: synchronous HS256 with node:crypto (ADR 015). The token is byte for byte
 * what jose's SignJWT made from the same claims before (link-tokens-jose-parity.test.ts);
 * jose went through WebCrypto, whose thread-pool round trip cost more CPU than a campaign's
 * whole database work per message. It counts nothing: the links people receive are made, and
 * counted per key, by links.server.ts.
 */
export function signLinkToken(
  keyring: Keyring,
  input: {
    purpose: LinkPurpose;
    contactId: number;
    unitId: number;
    topicId?: number | null;
    campaignId?: number | null;
    channel?: Channel;
    lifetimeDays?: number;
    now?: Date;
  },
): string {
  const key = keyring.signing;
  if (!key) throw new Error("No signing key: run `npm run cli -- keys rotate`.");
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const days = Math.min(MAXIMUM_LIFETIME_DAYS, Math.max(MINIMUM_LIFETIME_DAYS, input.lifetimeDays ?? DEFAULT_LIFETIME_DAYS));
  const claims: Record<string, unknown> = { u: input.unitId, ch: CHANNEL_CODE[input.channel ?? "EMAIL"] };
  if (input.topicId != null) claims.t = input.topicId;
  if (input.campaignId != null) claims.c = input.campaignId;
  // The registered claims after the product's own, in the order SignJWT's setters added them.
  claims.sub = String(input.contactId);
  claims.aud = input.purpose;
  claims.iat = now;
  claims.exp = now + days * 86_400;
  claims.jti = newTokenId();
  const signed = `${base64urlJson({ alg: "HS256", kid: key.kid })}.${base64urlJson(claims)}`;
  return `${signed}.${crypto.createHmac("sha256", key.key).update(signed).digest("base64url")}`;
}

const base64urlJson = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

// crypto.randomBytes costs about 17 µs a call whatever the size, and a campaign signs two links
// per message: token ids are cut from a larger draw, each byte used once.
const TOKEN_ID_BYTES = 12;
let randomPool: Buffer = Buffer.alloc(0);
let randomOffset = 0;

function newTokenId(): string {
  if (randomOffset + TOKEN_ID_BYTES > randomPool.length) {
    randomPool = crypto.randomBytes(TOKEN_ID_BYTES * 512);
    randomOffset = 0;
  }
  randomOffset += TOKEN_ID_BYTES;
  return randomPool.subarray(randomOffset - TOKEN_ID_BYTES, randomOffset).toString("base64url");
}

/**
 * Verifies signature, key, audience and expiry using only the in-memory keyring: nothing is
 * looked up before a token proves genuine. Synchronous HS256 with
 * node:crypto, checked equal to jose's jwtVerify by a differential test (ADR 014): jose goes
 * through WebCrypto, whose per-call thread-pool round trip cost more than the whole check.
 */
export function verifyLinkToken(keyring: Keyring, token: string, purpose: LinkPurpose, now = new Date()): LinkClaims {
  if (token.length > 2048 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw new LinkTokenError("malformed");
  const [headerPart, payloadPart, signaturePart] = token.split(".");
  // A base64url segment never has a length of 4n + 1: jose refuses to decode such a header or
  // signature (the payload is only decoded after the signature holds).
  if (headerPart.length % 4 === 1 || signaturePart.length % 4 === 1) throw new LinkTokenError("malformed");
  const header = decodeJsonObject(headerPart);
  // Only HS256 (so "none" fails), and no `crit` extensions: this product never sets one.
  if (!header || header.alg !== "HS256" || "crit" in header) throw new LinkTokenError("malformed");
  const kid = typeof header.kid === "string" ? header.kid : null;
  const active = kid === null ? undefined : keyring.verifying.get(kid);
  // A retired key still verifies links that only opt someone out, never anything more.
  const retired = active || kid === null ? undefined : keyring.optOutOnly.get(kid);
  const key = active ?? retired;
  if (!key) throw new LinkTokenError(kid !== null && keyring.revoked.has(kid) ? "revoked-key" : "unknown-key");
  if (retired && purpose !== "unsubscribe") throw new LinkTokenError("retired-key");
  const expected = crypto.createHmac("sha256", key.key).update(`${headerPart}.${payloadPart}`).digest();
  const given = Buffer.from(signaturePart, "base64url");
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw new LinkTokenError("bad-signature");
  const payload = decodeJsonObject(payloadPart);
  if (!payload) throw new LinkTokenError("malformed");
  return { ...readClaims(checkRegisteredClaims(payload, purpose, Math.floor(now.getTime() / 1000)), purpose), optOutOnly: retired !== undefined };
}

// Invalid UTF-8 is an error, not a replacement character, as in jose.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function decodeJsonObject(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(strictUtf8.decode(Buffer.from(part, "base64url")));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const REQUIRED_CLAIMS = ["sub", "exp", "iat", "jti"];

/** The registered claims, checked as jose's jwtVerify checks them with `requiredClaims` sub, exp, iat, jti. */
function checkRegisteredClaims(payload: Record<string, unknown>, purpose: LinkPurpose, now: number): JWTPayload {
  if (!Object.hasOwn(payload, "aud")) throw new LinkTokenError("wrong-purpose");
  if (!REQUIRED_CLAIMS.every((claim) => Object.hasOwn(payload, claim))) throw new LinkTokenError("invalid-claims");
  const { aud, iat, nbf, exp } = payload;
  if (!(aud === purpose || (Array.isArray(aud) && aud.includes(purpose)))) throw new LinkTokenError("wrong-purpose");
  if (typeof iat !== "number" || typeof exp !== "number") throw new LinkTokenError("invalid-claims");
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > now)) throw new LinkTokenError("invalid-claims");
  if (exp <= now) throw new LinkTokenError("expired");
  return payload;
}

function readClaims(payload: JWTPayload, purpose: LinkPurpose): Omit<LinkClaims, "optOutOnly"> {
  // The subject is written as a decimal contact id: "0x1", "1e3" or " 1" are not one, although Number() reads them.
  const contactId = typeof payload.sub === "string" && /^[1-9][0-9]{0,15}$/.test(payload.sub) ? Number(payload.sub) : NaN;
  const { u, t, c, ch } = payload as Record<string, unknown>;
  // Own properties only: "toString" or "__proto__" would otherwise find Object.prototype's.
  const channel = typeof ch === "string" && Object.hasOwn(CODE_CHANNEL, ch) ? CODE_CHANNEL[ch] : undefined;
  const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
  if (
    !Number.isSafeInteger(contactId) ||
    !isId(u) ||
    (t !== undefined && !isId(t)) ||
    (c !== undefined && !isId(c)) ||
    !channel ||
    typeof payload.jti !== "string"
  ) {
    throw new LinkTokenError("invalid-claims");
  }
  return {
    purpose,
    contactId,
    unitId: u,
    topicId: (t as number | undefined) ?? null,
    campaignId: (c as number | undefined) ?? null,
    channel,
    issuedAt: new Date(payload.iat! * 1000),
    expiresAt: new Date(payload.exp! * 1000),
    tokenId: payload.jti,
  };
}

/** verifyLinkToken as a result instead of an exception, for routes that render a bad link. */
export function checkLink(
  keyring: Keyring,
  token: string,
  purpose: LinkPurpose,
): { ok: true; claims: LinkClaims } | { ok: false; failure: LinkTokenFailure } {
  try {
    return { ok: true, claims: verifyLinkToken(keyring, token, purpose) };
  } catch (error) {
    if (error instanceof LinkTokenError) return { ok: false, failure: error.failure };
    throw error;
  }
}
