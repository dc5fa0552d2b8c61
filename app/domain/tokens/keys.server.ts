import { recordAudit, type AuditActor } from "~/domain/audit/audit.server.ts";
import { db, type Db } from "~/utils/db.server.ts";
import { lockTable } from "~/utils/row-locks.server.ts";
import { KID } from "./key-ids.ts";
import { createSigningKey, invalidateKeyring } from "./keyring.server.ts";
import { MAXIMUM_LIFETIME_DAYS } from "./link-tokens.server.ts";
import { flushSignatureCounts, signaturesSince, utcDay } from "./signature-counts.server.ts";

// Managing the link-signing keys, from /admin/keys and the CLI: both go through here, so both
// write the same audit entries. Retiring or revoking the last active key creates a new one in
// the same transaction (docs/decisions/012-people-and-keys.md): links must always be signable.
// Retire is routine (the key stops signing, its unsubscribe links keep working until they
// expire); revoke is for a leaked key (nothing it signed works). See docs/decisions/016-retire-and-revoke-keys.md.

const DAY_MS = 86_400_000;

export { KID };

export type SigningKeyRow = {
  kid: string;
  createdAt: Date;
  retiredAt: Date | null;
  revokedAt: Date | null;
  /** Retired, not revoked: until when the unsubscribe links it signed may still be used. */
  optOutLinksUntil: Date | null;
  /** The newest active key: it signs every new link. */
  signsNewLinks: boolean;
  signedLast7Days: number;
  signedLast30Days: number;
  /** Links it signed that may not have expired yet: what revoking it stops. */
  unexpiredLinks: number;
};

/** Every key, newest first, with how many tokens it signed in the last 7 and 30 UTC days (today included). */
export async function listSigningKeys(now = new Date()): Promise<SigningKeyRow[]> {
  // This process's own unwritten counts first, so the page is up to date with itself.
  await flushSignatureCounts();
  const [keys, last7, last30, unexpired] = await Promise.all([
    db.signingKey.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true, kid: true, createdAt: true, retiredAt: true, revokedAt: true } }),
    signaturesSince(utcDay(new Date(now.getTime() - 6 * DAY_MS))),
    signaturesSince(utcDay(new Date(now.getTime() - 29 * DAY_MS))),
    signaturesSince(unexpiredSince(now)),
  ]);
  // Same order as the keyring: the first unretired key signs.
  const signer = keys.find((k) => !k.retiredAt);
  return keys.map((k) => ({
    kid: k.kid,
    createdAt: k.createdAt,
    retiredAt: k.retiredAt,
    revokedAt: k.revokedAt,
    optOutLinksUntil: k.retiredAt && !k.revokedAt ? new Date(k.retiredAt.getTime() + MAXIMUM_LIFETIME_DAYS * DAY_MS) : null,
    signsNewLinks: k === signer,
    signedLast7Days: last7.get(k.id) ?? 0,
    signedLast30Days: last30.get(k.id) ?? 0,
    unexpiredLinks: unexpired.get(k.id) ?? 0,
  }));
}

/** The first UTC day whose links may still be alive: no link lives longer than MAXIMUM_LIFETIME_DAYS. */
const unexpiredSince = (now: Date) => utcDay(new Date(now.getTime() - MAXIMUM_LIFETIME_DAYS * DAY_MS));

/** Links a key signed that may not have expired yet (counted per day, so a day's worth early). */
async function unexpiredLinksOf(keyId: number, now: Date): Promise<number> {
  await flushSignatureCounts();
  return (await signaturesSince(unexpiredSince(now))).get(keyId) ?? 0;
}

/** A key that can still be revoked (it exists and is not revoked), with what revoking it stops. */
export async function revocationOf(kid: string, now = new Date()): Promise<{ kid: string; active: boolean; unexpiredLinks: number } | null> {
  if (!KID.test(kid)) return null;
  const key = await db.signingKey.findFirst({ where: { kid, revokedAt: null }, select: { id: true, retiredAt: true } });
  return key ? { kid, active: key.retiredAt === null, unexpiredLinks: await unexpiredLinksOf(key.id, now) } : null;
}

/** A new key signs from now on; older active keys keep verifying. */
export async function rotateKeys(actor: AuditActor, now = new Date()): Promise<{ kid: string }> {
  const kid = await db.$transaction(async (tx) => {
    const added = await createSigningKey(tx, now);
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
 * Retires a key: it stops signing at once in this process (other processes re-read the keys
 * within 30 s). Unsubscribe links it signed keep opting people out until they expire; its
 * preferences links stop working. If no active key is left, a new one is made in the same transaction.
 */
export async function retireKey(actor: AuditActor, kid: string, now = new Date(), client: Db = db): Promise<KeyRetirement> {
  if (!KID.test(kid)) return { outcome: "not-active" };
  const result = await client.$transaction(async (tx): Promise<KeyRetirement> => {
    // Two retirements at once must not each see the other's key still active and leave none (ADR 039).
    await lockTable(tx, "SigningKey");
    const { count } = await tx.signingKey.updateMany({ where: { kid, retiredAt: null }, data: { retiredAt: now } });
    if (count === 0) return { outcome: "not-active" };
    const active = await tx.signingKey.count({ where: { retiredAt: null } });
    const newKid = active === 0 ? await createSigningKey(tx, now) : null;
    await recordAudit(tx, actor, { action: "key.retire", target: `key:${kid}`, detail: newKid ? { replacedBy: newKid } : undefined });
    if (newKid) await recordAudit(tx, actor, { action: "key.rotate", target: `key:${newKid}`, detail: { because: `the last active key ${kid} was retired` } });
    return { outcome: "retired", kid, newKid };
  });
  invalidateKeyring();
  return result;
}

export type KeyRevocation =
  | { outcome: "revoked"; kid: string; /** Set when the revoked key was the last active one. */ newKid: string | null; linksStopped: number }
  | { outcome: "not-found" };

/**
 * Revokes a key that may have leaked: nothing it signed is accepted any more, unsubscribe links
 * included (in this process at once, in others within 30 s). A revoked key is retired too; if
 * no active key is left, a new one is made in the same transaction.
 */
export async function revokeKey(actor: AuditActor, kid: string, now = new Date(), client: Db = db): Promise<KeyRevocation> {
  const revocation = await revocationOf(kid, now);
  if (!revocation) return { outcome: "not-found" };
  const linksStopped = revocation.unexpiredLinks;
  const result = await client.$transaction(async (tx): Promise<KeyRevocation> => {
    await lockTable(tx, "SigningKey");
    // Conditional: of two revocations at once, one revokes and the other finds nothing to do.
    const { count } = await tx.signingKey.updateMany({ where: { kid, revokedAt: null }, data: { revokedAt: now } });
    if (count === 0) return { outcome: "not-found" };
    await tx.signingKey.updateMany({ where: { kid, retiredAt: null }, data: { retiredAt: now } });
    const active = await tx.signingKey.count({ where: { retiredAt: null } });
    const newKid = active === 0 ? await createSigningKey(tx, now) : null;
    await recordAudit(tx, actor, { action: "key.revoke", target: `key:${kid}`, detail: { linksStopped, ...(newKid ? { replacedBy: newKid } : {}) } });
    if (newKid) await recordAudit(tx, actor, { action: "key.rotate", target: `key:${newKid}`, detail: { because: `the last active key ${kid} was revoked` } });
    return { outcome: "revoked", kid, newKid, linksStopped };
  });
  invalidateKeyring();
  return result;
}
