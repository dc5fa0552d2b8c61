import crypto from "node:crypto";
import { SignJWT, jwtVerify, errors, type JWTPayload } from "jose";
import type { Channel } from "~/domain/consent/eligibility.ts";
import type { Keyring } from "./keyring.server.ts";
import { countSignature } from "./signature-counts.server.ts";

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
};

export const DEFAULT_LIFETIME_DAYS = 400;
// Recipients open old mail; a shorter-lived unsubscribe link would break that promise.
export const MINIMUM_LIFETIME_DAYS = 60;

const CHANNEL_CODE: Record<Channel, string> = { EMAIL: "e", POSTAL: "p", PHONE: "t" };
const CODE_CHANNEL: Record<string, Channel> = { e: "EMAIL", p: "POSTAL", t: "PHONE" };

export type LinkTokenFailure =
  | "malformed"
  | "bad-signature"
  | "unknown-key"
  | "retired-key"
  | "expired"
  | "wrong-purpose"
  | "invalid-claims";

export class LinkTokenError extends Error {
  name = "LinkTokenError";
  constructor(readonly failure: LinkTokenFailure) {
    super(`Link token rejected: ${failure}`);
  }
}

export async function signLinkToken(
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
): Promise<string> {
  if (!keyring.signing) throw new Error("No signing key: run `npm run cli -- keys rotate`.");
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const days = Math.max(MINIMUM_LIFETIME_DAYS, input.lifetimeDays ?? DEFAULT_LIFETIME_DAYS);
  const claims: JWTPayload & Record<string, unknown> = {
    u: input.unitId,
    ch: CHANNEL_CODE[input.channel ?? "EMAIL"],
  };
  if (input.topicId != null) claims.t = input.topicId;
  if (input.campaignId != null) claims.c = input.campaignId;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", kid: keyring.signing.kid })
    .setSubject(String(input.contactId))
    .setAudience(input.purpose)
    .setIssuedAt(now)
    .setExpirationTime(now + days * 86_400)
    .setJti(crypto.randomBytes(12).toString("base64url"))
    .sign(keyring.signing.key);
  // Keys read from the table carry their row id; hand-made keyrings (tests, benchmarks) are not counted.
  if (keyring.signing.id !== undefined) countSignature(keyring.signing.id);
  return token;
}

/**
 * Verifies signature, key, audience and expiry using only the in-memory keyring: nothing is
 * looked up before a token proves genuine (DESIGN.md invariant 6).
 */
export async function verifyLinkToken(keyring: Keyring, token: string, purpose: LinkPurpose, now?: Date): Promise<LinkClaims> {
  if (token.length > 2048 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw new LinkTokenError("malformed");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid ? keyring.verifying.get(header.kid) : undefined;
        if (key) return key;
        throw new LinkTokenError(header.kid && keyring.retired.has(header.kid) ? "retired-key" : "unknown-key");
      },
      { algorithms: ["HS256"], audience: purpose, requiredClaims: ["sub", "exp", "iat", "jti"], currentDate: now },
    ));
  } catch (error) {
    throw toLinkTokenError(error);
  }
  return readClaims(payload, purpose);
}

function toLinkTokenError(error: unknown): LinkTokenError {
  if (error instanceof LinkTokenError) return error;
  if (error instanceof errors.JWTExpired) return new LinkTokenError("expired");
  if (error instanceof errors.JWSSignatureVerificationFailed) return new LinkTokenError("bad-signature");
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === "aud") return new LinkTokenError("wrong-purpose");
  if (error instanceof errors.JWTClaimValidationFailed) return new LinkTokenError("invalid-claims");
  // alg "none" or another algorithm, unparseable header or payload.
  return new LinkTokenError("malformed");
}

function readClaims(payload: JWTPayload, purpose: LinkPurpose): LinkClaims {
  const contactId = Number(payload.sub);
  const { u, t, c, ch } = payload as Record<string, unknown>;
  const channel = typeof ch === "string" ? CODE_CHANNEL[ch] : undefined;
  const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
  if (
    !Number.isSafeInteger(contactId) ||
    contactId <= 0 ||
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
export async function checkLink(
  keyring: Keyring,
  token: string,
  purpose: LinkPurpose,
): Promise<{ ok: true; claims: LinkClaims } | { ok: false; failure: LinkTokenFailure }> {
  try {
    return { ok: true, claims: await verifyLinkToken(keyring, token, purpose) };
  } catch (error) {
    if (error instanceof LinkTokenError) return { ok: false, failure: error.failure };
    throw error;
  }
}
