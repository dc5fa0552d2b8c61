import { recordAudit, staffActor, type AuditActor } from "~/domain/audit/audit.server.ts";
import { normalizeEmail } from "~/domain/consent/email.ts";
import { isUniqueViolation, lockRows } from "~/utils/row-locks.server.ts";
import { db, type Tx } from "~/utils/db.server.ts";
import { sendStaffInvite, type InviteMailOutcome } from "./account-mail.server.ts";
import { clearFailedSignIns } from "./lockout.server.ts";
import { findOneTimeLink, issueOneTimeLink, useOneTimeLink, type UnusableLink } from "./one-time-links.server.ts";
import { checkNewPassword } from "./password-rules.server.ts";
import { hashPassword } from "./passwords.server.ts";
import { openUserSession, SESSION_IDLE_MS, type Requester } from "./sessions.server.ts";
import { STAFF_ROLES, type StaffRole } from "./staff-roles.ts";

// Staff accounts (marketers and admins), as /admin/people and the CLI manage them: invite,
// re-invite, units, role, revoke and restore access. Every change writes its audit entry in
// the same transaction. Subscribers are not staff and are never touched here.

export { STAFF_ROLES, type StaffRole };

/** Invited: has not chosen a password yet. Active: can sign in. Revoked: an admin took access away. */
export type StaffStatus = "invited" | "active" | "revoked";

/** A request that cannot be done as asked; `field` names the form field at fault. */
export class PeopleError extends Error {
  name = "PeopleError";
  constructor(
    message: string,
    readonly field: string = "form",
  ) {
    super(message);
  }
}

export type StaffMember = {
  id: number;
  email: string;
  name: string | null;
  role: StaffRole;
  status: StaffStatus;
  units: { id: number; slug: string; displayName: string }[];
  createdAt: Date;
  lastSignInAt: Date | null;
  accessRevokedAt: Date | null;
  /** When they accepted their invitation (or otherwise proved their address); null while invited. */
  acceptedAt: Date | null;
  liveSessions: number;
  /** When the current invitation link stops working (invited people only); null when none is left. */
  inviteExpiresAt: Date | null;
};

const STAFF_WHERE = { role: { in: [...STAFF_ROLES] } };

const STAFF_SELECT = {
  id: true,
  email: true,
  name: true,
  role: true,
  createdAt: true,
  emailVerifiedAt: true,
  lastSignInAt: true,
  accessRevokedAt: true,
  memberships: { select: { unit: { select: { id: true, slug: true, displayName: true } } } },
  oneTimeLinks: { where: { purpose: "INVITE" as const, usedAt: null }, orderBy: { id: "desc" as const }, take: 1, select: { expiresAt: true } },
};

function statusOf(user: { accessRevokedAt: Date | null; emailVerifiedAt: Date | null }): StaffStatus {
  if (user.accessRevokedAt) return "revoked";
  return user.emailVerifiedAt ? "active" : "invited";
}

/** Live sessions per user, counted as /account counts them. */
async function liveSessionCounts(userIds: number[], now: Date): Promise<Map<number, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.session.groupBy({
    by: ["userId"],
    where: { userId: { in: userIds }, revokedAt: null, expiresAt: { gt: now }, lastSeenAt: { gt: new Date(now.getTime() - SESSION_IDLE_MS) } },
    _count: { _all: true },
  });
  return new Map(rows.map((r) => [r.userId!, r._count._all]));
}

async function describeStaff(users: Awaited<ReturnType<typeof findStaffRows>>, now: Date): Promise<StaffMember[]> {
  const sessions = await liveSessionCounts(
    users.map((u) => u.id),
    now,
  );
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role as StaffRole,
    status: statusOf(u),
    units: u.memberships.map((m) => m.unit).sort((a, b) => a.displayName.localeCompare(b.displayName)),
    createdAt: u.createdAt,
    lastSignInAt: u.lastSignInAt,
    accessRevokedAt: u.accessRevokedAt,
    acceptedAt: u.emailVerifiedAt,
    liveSessions: sessions.get(u.id) ?? 0,
    inviteExpiresAt: !u.emailVerifiedAt && u.oneTimeLinks[0] && u.oneTimeLinks[0].expiresAt > now ? u.oneTimeLinks[0].expiresAt : null,
  }));
}

function findStaffRows(where: { id?: number }) {
  return db.user.findMany({ where: { ...STAFF_WHERE, ...where }, select: STAFF_SELECT, orderBy: [{ role: "asc" }, { email: "asc" }] });
}

/** Every marketer and admin, admins first, then by address. */
export async function listStaff(now = new Date()): Promise<StaffMember[]> {
  return describeStaff(await findStaffRows({}), now);
}

/** One marketer or admin, or null (subscribers are not staff). */
export async function findStaffMember(id: number, now = new Date()): Promise<StaffMember | null> {
  const [member] = await describeStaff(await findStaffRows({ id }), now);
  return member ?? null;
}

/** Units by id; an id that is not a unit is an error the form shows beside the unit list. */
async function unitsByIds(tx: Tx, unitIds: number[]) {
  const wanted = [...new Set(unitIds)];
  if (wanted.length === 0) return [];
  const units = await tx.businessUnit.findMany({ where: { id: { in: wanted } }, select: { id: true, slug: true }, orderBy: { slug: "asc" } });
  if (units.length !== wanted.length) throw new PeopleError("One of the chosen units does not exist any more. Reload the page and choose again.", "units");
  return units;
}

/** A staff account inside a transaction, or a PeopleError the page shows as "not found". */
async function staffIn(tx: Tx, userId: number) {
  const user = await tx.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, role: true, emailVerifiedAt: true, accessRevokedAt: true },
  });
  if (!user || user.role === "SUBSCRIBER") throw new PeopleError("There is no staff account with that id.", "not-found");
  return { ...user, role: user.role as StaffRole };
}

/** True when no admin other than this user could still sign in. */
async function isLastActiveAdmin(tx: Tx, userId: number): Promise<boolean> {
  // Two admins removing each other at once must not each count the other as the one who
  // remains: the admins' rows are locked before they are counted (ADR 039).
  const admins = await tx.user.findMany({ where: { role: "ADMIN" }, select: { id: true } });
  await lockRows(tx, "User", admins.map((a) => a.id));
  const others = await tx.user.count({ where: { role: "ADMIN", accessRevokedAt: null, emailVerifiedAt: { not: null }, id: { not: userId } } });
  return others === 0;
}


export type Invitation = { userId: number; email: string; url: string; expiresAt: Date; mail: InviteMailOutcome };

const TAKEN_BY_SUBSCRIBER =
  "This address belongs to a subscriber account. Staff accounts need an address of their own, such as a work address.";
const TAKEN_BY_STAFF = "This address already has a staff account. Open it from the list to re-invite them or change their units.";

/**
 * Creates a marketer or admin with no password and emails a one-time invitation link (7 days).
 * Returns the link too: the CLI prints it, so the very first admin can sign in before any
 * unit exists to send mail in the name of. Pages never show it.
 */
export async function inviteStaff(
  actor: AuditActor,
  input: { email: string; name: string | null; role: StaffRole; unitIds: number[] },
  now = new Date(),
): Promise<Invitation> {
  const email = normalizeEmail(input.email);
  let created;
  try {
    created = await db.$transaction(async (tx) => {
      const existing = await tx.user.findUnique({ where: { email }, select: { role: true } });
      if (existing) throw new PeopleError(existing.role === "SUBSCRIBER" ? TAKEN_BY_SUBSCRIBER : TAKEN_BY_STAFF, "email");
      // Admins work with every unit: memberships are a marketer's scope.
      const units = input.role === "MARKETER" ? await unitsByIds(tx, input.unitIds) : [];
      const user = await tx.user.create({
        data: {
          email,
          name: input.name,
          role: input.role,
          createdAt: now,
          memberships: { create: units.map((u) => ({ unitId: u.id, createdAt: now })) },
        },
        select: { id: true },
      });
      const link = await issueOneTimeLink({ userId: user.id, purpose: "INVITE", email }, now, tx);
      await recordAudit(tx, actor, { action: "user.invite", target: `user:${user.id}`, detail: { email, role: input.role, units: units.map((u) => u.slug) } });
      return { userId: user.id, link };
    });
  } catch (error) {
    // Two admins inviting one address at the same moment: the second hears what the first did.
    if (isUniqueViolation(error)) throw new PeopleError(TAKEN_BY_STAFF, "email");
    throw error;
  }
  const mail = await sendStaffInvite({ email, name: input.name }, created.link, { role: input.role, invitedBy: actor.userId ? actor.email : null });
  return { userId: created.userId, email, url: created.link.url, expiresAt: new Date(now.getTime() + created.link.expiresInMinutes * 60_000), mail };
}

/** A new invitation link for someone who has not accepted yet; the earlier link stops working. */
export async function reinviteStaff(actor: AuditActor, userId: number, now = new Date()): Promise<Invitation> {
  const created = await db.$transaction(async (tx) => {
    const user = await staffIn(tx, userId);
    if (user.accessRevokedAt) throw new PeopleError("Their access is revoked. Restore it first, then send a new invitation.");
    if (user.emailVerifiedAt) {
      throw new PeopleError("They have already accepted their invitation. If they forgot their password, “Forgot your password?” on the sign-in page sends them a reset link.");
    }
    // issueOneTimeLink removes the user's unused INVITE links: only the newest email works.
    const link = await issueOneTimeLink({ userId, purpose: "INVITE", email: user.email }, now, tx);
    await recordAudit(tx, actor, { action: "user.reinvite", target: `user:${userId}`, detail: { email: user.email } });
    return { user, link };
  });
  const mail = await sendStaffInvite(created.user, created.link, { role: created.user.role, invitedBy: actor.userId ? actor.email : null });
  return { userId, email: created.user.email, url: created.link.url, expiresAt: new Date(now.getTime() + created.link.expiresInMinutes * 60_000), mail };
}

/** Sets a marketer's units to exactly these; returns the slugs added and removed (nothing changed: both empty, no audit entry). */
export async function setStaffUnits(actor: AuditActor, userId: number, unitIds: number[], now = new Date()): Promise<{ added: string[]; removed: string[] }> {
  return db.$transaction(async (tx) => {
    const user = await staffIn(tx, userId);
    if (user.role !== "MARKETER") throw new PeopleError("Admins work with every unit; units are chosen for marketers only.", "units");
    const wanted = await unitsByIds(tx, unitIds);
    const current = await tx.membership.findMany({ where: { userId }, select: { unit: { select: { id: true, slug: true } } } });
    const currentIds = new Set(current.map((m) => m.unit.id));
    const wantedIds = new Set(wanted.map((u) => u.id));
    const added = wanted.filter((u) => !currentIds.has(u.id));
    const removed = current.map((m) => m.unit).filter((u) => !wantedIds.has(u.id));
    if (added.length === 0 && removed.length === 0) return { added: [], removed: [] };
    if (removed.length > 0) await tx.membership.deleteMany({ where: { userId, unitId: { in: removed.map((u) => u.id) } } });
    for (const unit of added) await tx.membership.create({ data: { userId, unitId: unit.id, createdAt: now } });
    const detail = { added: added.map((u) => u.slug).sort(), removed: removed.map((u) => u.slug).sort() };
    await recordAudit(tx, actor, { action: "user.units", target: `user:${userId}`, detail });
    return detail;
  });
}

/** Marketer ↔ admin. Nobody changes their own role, and the last active admin stays an admin. */
export async function changeStaffRole(actor: AuditActor, userId: number, role: StaffRole): Promise<{ changed: boolean }> {
  if (actor.userId === userId) throw new PeopleError("You cannot change your own role. Ask another admin to do it.", "role");
  return db.$transaction(async (tx) => {
    const user = await staffIn(tx, userId);
    if (user.role === role) return { changed: false };
    if (user.role === "ADMIN" && !user.accessRevokedAt && user.emailVerifiedAt && (await isLastActiveAdmin(tx, userId))) {
      throw new PeopleError("They are the last active admin: make someone else an admin first.", "role");
    }
    await tx.user.update({ where: { id: userId }, data: { role } });
    await recordAudit(tx, actor, { action: "user.role", target: `user:${userId}`, detail: { email: user.email, from: user.role, to: role } });
    return { changed: true };
  });
}

/**
 * Takes a person's access away: they cannot sign in (password, emailed links, reset), every
 * session of theirs ends now, and their unused emailed links are deleted. Their account,
 * units and history stay, so access can be restored. Nobody revokes themselves, and the last
 * active admin keeps access.
 */
export async function revokeStaffAccess(actor: AuditActor, userId: number, now = new Date()): Promise<{ sessionsEnded: number }> {
  if (actor.userId === userId) throw new PeopleError("You cannot revoke your own access. Ask another admin to do it.");
  return db.$transaction(async (tx) => {
    const user = await staffIn(tx, userId);
    if (user.accessRevokedAt) throw new PeopleError("Their access is already revoked.");
    if (user.role === "ADMIN" && user.emailVerifiedAt && (await isLastActiveAdmin(tx, userId))) {
      throw new PeopleError("They are the last active admin: nobody could manage the product after this. Make someone else an admin first.");
    }
    await tx.user.update({ where: { id: userId }, data: { accessRevokedAt: now } });
    const { count: sessionsEnded } = await tx.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
    // Links already in their inbox (invitation, sign-in, reset) are credentials too.
    await tx.oneTimeLink.deleteMany({ where: { userId, usedAt: null } });
    await recordAudit(tx, actor, { action: "user.revoke", target: `user:${userId}`, detail: { email: user.email, sessionsEnded } });
    return { sessionsEnded };
  });
}

/** Gives access back. Someone who never accepted needs a new invitation (the old link was deleted). */
export async function restoreStaffAccess(actor: AuditActor, userId: number): Promise<void> {
  await db.$transaction(async (tx) => {
    const user = await staffIn(tx, userId);
    if (!user.accessRevokedAt) throw new PeopleError("Their access is not revoked.");
    await tx.user.update({ where: { id: userId }, data: { accessRevokedAt: null } });
    await recordAudit(tx, actor, { action: "user.restore", target: `user:${userId}`, detail: { email: user.email } });
  });
}

// ---------------------------------------------------------------------------------------------
// /invite/<token>: the invited person chooses a password.

type InviteeCheck = { ok: true; email: string; name: string | null; role: StaffRole } | { ok: false; reason: UnusableLink };

/** What the invitation page shows on GET: nothing is used or changed. */
export async function checkInviteLink(token: string, now = new Date()): Promise<InviteeCheck> {
  const found = await findOneTimeLink(token, "INVITE", now);
  if (!found.ok) return found;
  const user = await db.user.findUnique({ where: { id: found.link.userId }, select: { email: true, name: true, role: true, accessRevokedAt: true } });
  if (!user || user.email !== found.link.email || user.accessRevokedAt || user.role === "SUBSCRIBER") return { ok: false, reason: "expired" };
  return { ok: true, email: user.email, name: user.name, role: user.role };
}

export type InviteAcceptance =
  | { outcome: "signed-in"; role: StaffRole; setCookie: string }
  | { outcome: "weak-password"; message: string; suggestion: string | null }
  | { outcome: "bad-link"; reason: UnusableLink };

/**
 * Accepts an invitation: the new password (same rules as sign-up) is set, the address counts as
 * verified (the link reached it), the link is used up, and the person is signed in.
 */
export async function acceptInvite(token: string, password: string, request: Request, requester: Requester, now = new Date()): Promise<InviteAcceptance> {
  const checked = await checkInviteLink(token, now);
  if (!checked.ok) return { outcome: "bad-link", reason: checked.reason };
  const verdict = await checkNewPassword(password, checked.email);
  if (!verdict.ok) return { outcome: "weak-password", message: verdict.message, suggestion: verdict.suggestion };
  const passwordHash = await hashPassword(password);

  const accepted = await db.$transaction(async (tx) => {
    const used = await useOneTimeLink(token, "INVITE", now, tx);
    if (!used.ok) return used;
    const user = await tx.user.findUnique({ where: { id: used.link.userId }, select: { id: true, email: true, role: true, accessRevokedAt: true, emailVerifiedAt: true } });
    // Checked again inside the transaction: access may have been revoked since the GET.
    if (!user || user.email !== used.link.email || user.accessRevokedAt || user.role === "SUBSCRIBER") return { ok: false as const, reason: "expired" as const };
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? now } });
    await tx.oneTimeLink.deleteMany({ where: { userId: user.id, usedAt: null, purpose: { in: ["INVITE", "SIGN_IN", "RESET_PASSWORD"] } } });
    await recordAudit(tx, staffActor(user, requester), { action: "user.accept", target: `user:${user.id}` });
    return { ok: true as const, user: { id: user.id, email: user.email, role: user.role as StaffRole } };
  });
  if (!accepted.ok) return { outcome: "bad-link", reason: accepted.reason };
  await clearFailedSignIns(accepted.user.email);
  const setCookie = await openUserSession(accepted.user.id, request, requester, now);
  return { outcome: "signed-in", role: accepted.user.role, setCookie };
}
