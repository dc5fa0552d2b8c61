import crypto from "node:crypto";
import { getEnv } from "~/utils/env.server.ts";
import { normalizeEmail } from "./email.ts";

/**
 * Keyed hash of a normalised address. Suppressions are found by it, and an ERASED suppression
 * keeps nothing else, so an erased address can be recognised on import but not recovered.
 */
export function addressHash(email: string): string {
  return crypto.createHmac("sha256", getEnv().ADDRESS_HASH_KEY).update(normalizeEmail(email)).digest("base64url");
}
