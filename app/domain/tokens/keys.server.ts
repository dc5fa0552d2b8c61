import crypto from "node:crypto";
import { recordAudit, type AuditActor } from "~/domain/audit/audit.server.ts";
import { db, type Tx } from "~/utils/db.server.ts";
import { KID } from "./key-ids.ts";
import { invalidateKeyring } from "./keyring.server.ts";
import { flushSignatureCounts, signaturesSince, utcDay } from "./signature-counts.server.ts";

// Managing the link-signing keys, from /admin/keys and the CLI: both go through here, so both
// write the same audit entries. Retiring the last active key creates a new one in the same
// transaction (docs/decisions/012-people-and-keys.md): links must always be signable.

const DAY_MS = 86_400_000;

export { KID };

export type SigningKeyRow = {
  kid: string;
  createdAt: Date;
  retiredAt: Date | null;
  /** The newest active key: it signs every new link. */
  signsNewLinks: boolean;
  signedLast7Days: number;
  signedLast30Days: number;
};

/** Every key, newest first, with how many tokens it signed in the last 7 and 30 UTC days (today included). */
export async function listSigningKeys(now = new Date()): Promise<SigningKeyRow[]> {
  // This process's own unwritten counts first, so the page is up to date with itself.
  await flushSignatureCounts();
  const [keys, last7, last30] = await Promise.all([
    db.signingKey.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true, kid: true, createdAt: true, retiredAt: true } }),
    signaturesSince(utcDay(new Date(now.getTime() - 6 * DAY_MS))),
    signaturesSince(utcDay(new Date(now.getTime() - 29 * DAY_MS))),
  ]);
  // Same order as the keyring: the first unretired key signs.
  const signer = keys.find((k) => !k.retiredAt);
  return keys.map((k) => ({
    kid: k.kid,
    createdAt: k.createdAt,
    retiredAt: k.retiredAt,
    signsNewLinks: k === signer,
    signedLast7Days: last7.get(k.id) ?? 0,
    signedLast30Days: last30.get(k.id) ?? 0,
  }));
}

async function addKey(tx: Tx, now: Date): Promise<string> {
  const kid = crypto.randomBytes(6).toString("base64url");
  await tx.signingKey.create({ data: { kid, secret: crypto.randomBytes(32).toString("base64url"), createdAt: now } });
  return kid;
}

/** A new key signs from now on; older active keys keep verifying. */
export async function rotateKeys(actor: AuditActor, now = new Date()): Promise<{ kid: string }> {
  const kid = await db.$transaction(async (tx) => {
    const added = await addKey(tx, now);
    await recordAudit(tx, actor, { action: "key.rotate", target: `key:${added}` });
    return added;
  });
  invalidateKeyring();
  return { kid };
}

export type KeyRetirement =
  | { outcome: "retired"; kid: string; /** Set when the retired key was the last active one. */ newKid: string | null }
  | { outcome: "not-active" };

/**
 * Retires a key: links signed with it stop working at once in this process (other processes
 * re-read the keys within 30 s). If no active key is left, a new one is made in the same
 * transaction.
 */
export async function retireKey(actor: AuditActor, kid: string, now = new Date()): Promise<KeyRetirement> {
  if (!KID.test(kid)) return { outcome: "not-active" };
  const result = await db.$transaction(async (tx): Promise<KeyRetirement> => {
    const { count } = await tx.signingKey.updateMany({ where: { kid, retiredAt: null }, data: { retiredAt: now } });
    if (count === 0) return { outcome: "not-active" };
    const active = await tx.signingKey.count({ where: { retiredAt: null } });
    const newKid = active === 0 ? await addKey(tx, now) : null;
    await recordAudit(tx, actor, { action: "key.retire", target: `key:${kid}`, detail: newKid ? { replacedBy: newKid } : undefined });
    if (newKid) await recordAudit(tx, actor, { action: "key.rotate", target: `key:${newKid}`, detail: { because: `the last active key ${kid} was retired` } });
    return { outcome: "retired", kid, newKid };
  });
  invalidateKeyring();
  return result;
}
