import { hash, verify } from "@node-rs/argon2";

// Algorithm.Argon2id; the package declares Algorithm as a const enum, which isolatedModules cannot inline.
const ARGON2ID = 2;

// argon2id with the library's defaults (19 MiB, t=2, p=1: OWASP's minimum recommendation).
export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash never signs anyone in
  }
}

let decoy: Promise<string> | undefined;
/**
 * A hash to check against when an address has no account (or no password), so the answer
 * takes as long as for one that has: response time must not tell who has an account.
 */
export function timingDecoyHash(): Promise<string> {
  decoy ??= hashPassword("no account has this password; checking it only takes time");
  return decoy;
}
