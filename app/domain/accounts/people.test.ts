import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { CLI_ACTOR, staffActor } from "~/domain/audit/audit.server.ts";
import { createMailingUnit, createSubscriber, latestLinkTo, messagesTo, requestWithCookie, STRONG_PASSWORD, tokenOf } from "../../../tests/helpers/accounts.ts";
import { createUnit } from "../../../tests/helpers/fixtures.ts";
import {
  acceptInvite,
  changeStaffRole,
  checkInviteLink,
  findStaffMember,
  inviteStaff,
  PeopleError,
  reinviteStaff,
  restoreStaffAccess,
  revokeStaffAccess,
  setStaffUnits,
} from "./people.server.ts";
import { readSignedInUser } from "./sessions.server.ts";
import { requestSignInLink, signInWithPassword } from "./sign-in.server.ts";
import { requestPasswordReset } from "./password-reset.server.ts";

const here = { ip: "203.0.113.9", userAgent: "vitest" };
const request = () => new Request("http://localhost/invite/x");
let unitA: { id: number; slug: string };
let unitB: { id: number; slug: string };
let admin: { id: number; email: string };

async function errorOf(promise: Promise<unknown>): Promise<PeopleError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PeopleError) return error;
    throw error;
  }
  throw new Error("expected a PeopleError");
}

const auditOf = (userId: number) =>
  db.auditEvent.findMany({ where: { target: `user:${userId}` }, orderBy: { id: "asc" }, select: { action: true, actorEmail: true, detail: true, ip: true } });

/** Invites, accepts with the emailed link, and returns the new account and its session cookie. */
async function inviteAndAccept(email: string, role: "MARKETER" | "ADMIN", unitIds: number[] = []) {
  const invitation = await inviteStaff(CLI_ACTOR, { email, name: null, role, unitIds });
  const accepted = await acceptInvite(tokenOf(await latestLinkTo(email, "staff-invite")), STRONG_PASSWORD, request(), here);
  if (accepted.outcome !== "signed-in") throw new Error(`accept failed: ${accepted.outcome}`);
  return { id: invitation.userId, email, cookie: accepted.setCookie };
}

beforeAll(async () => {
  unitA = await createMailingUnit();
  unitB = await createUnit();
  const first = await inviteAndAccept("first.admin@example.com", "ADMIN");
  admin = { id: first.id, email: first.email };
});

describe("inviting", () => {
  it("creates a passwordless account, emails a 7-day link under the staff-invite category, and audits it", async () => {
    const actor = staffActor(admin, here);
    const invitation = await inviteStaff(actor, { email: " New.Marketer@Example.com ", name: "Nia", role: "MARKETER", unitIds: [unitB.id, unitA.id] });
    expect(invitation).toMatchObject({ email: "new.marketer@example.com", mail: { sent: true } });
    const user = await db.user.findUniqueOrThrow({ where: { id: invitation.userId } });
    expect(user).toMatchObject({ role: "MARKETER", passwordHash: null, emailVerifiedAt: null, name: "Nia" });
    const [message] = await messagesTo("new.marketer@example.com");
    expect(message).toMatchObject({ template: "staff-invite", status: "SENT", category: { slug: "staff-invite" } });
    // The link is a credential: the stored copy of the message does not keep it.
    expect(JSON.parse(message.data).url).toBe("[removed once sent]");
    const link = await latestLinkTo("new.marketer@example.com", "staff-invite");
    expect(link).toBe(invitation.url);
    const row = await db.oneTimeLink.findFirstOrThrow({ where: { userId: invitation.userId, purpose: "INVITE" } });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(7 * 24 * 3600_000);
    expect(await auditOf(invitation.userId)).toEqual([
      {
        action: "user.invite",
        actorEmail: "first.admin@example.com",
        ip: "203.0.113.9",
        detail: JSON.stringify({ email: "new.marketer@example.com", role: "MARKETER", units: [unitA.slug, unitB.slug].sort() }),
      },
    ]);
    expect((await findStaffMember(invitation.userId))?.status).toBe("invited");
  });

  it("refuses an address that has an account, saying which kind, and a unit that does not exist", async () => {
    const subscriber = await createSubscriber();
    expect((await errorOf(inviteStaff(CLI_ACTOR, { email: subscriber.email, name: null, role: "MARKETER", unitIds: [] }))).message).toMatch(/subscriber account/);
    const staff = await errorOf(inviteStaff(CLI_ACTOR, { email: admin.email, name: null, role: "ADMIN", unitIds: [] }));
    expect([staff.field, staff.message]).toEqual(["email", expect.stringMatching(/already has a staff account/)]);
    const unit = await errorOf(inviteStaff(CLI_ACTOR, { email: "ghost.units@example.com", name: null, role: "MARKETER", unitIds: [999_999] }));
    expect(unit.field).toBe("units");
    expect(await db.user.count({ where: { email: "ghost.units@example.com" } })).toBe(0);
  });

  it("accepting sets the password under the sign-up rules, verifies the address, signs in once, and the link is spent", async () => {
    const { userId } = await inviteStaff(CLI_ACTOR, { email: "accepts@example.com", name: null, role: "MARKETER", unitIds: [unitA.id] });
    const token = tokenOf(await latestLinkTo("accepts@example.com", "staff-invite"));
    expect(await checkInviteLink(token)).toMatchObject({ ok: true, email: "accepts@example.com", role: "MARKETER" });
    expect(await acceptInvite(token, "short", request(), here)).toMatchObject({ outcome: "weak-password" });
    expect(await acceptInvite(token, "accepts-example-password", request(), here)).toMatchObject({ outcome: "weak-password" });
    const accepted = await acceptInvite(token, STRONG_PASSWORD, request(), here);
    expect(accepted).toMatchObject({ outcome: "signed-in", role: "MARKETER" });
    if (accepted.outcome !== "signed-in") return;
    expect(await readSignedInUser(requestWithCookie(accepted.setCookie))).toMatchObject({ id: userId, role: "MARKETER" });
    expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).emailVerifiedAt).not.toBeNull();
    expect(await acceptInvite(token, STRONG_PASSWORD, request(), here)).toEqual({ outcome: "bad-link", reason: "used" });
    expect((await auditOf(userId)).map((e) => [e.action, e.actorEmail])).toEqual([
      ["user.invite", "cli"],
      ["user.accept", "accepts@example.com"],
    ]);
  });

  it("a new invitation replaces the old link; someone who accepted cannot be re-invited", async () => {
    const { userId } = await inviteStaff(CLI_ACTOR, { email: "twice@example.com", name: null, role: "ADMIN", unitIds: [] });
    const first = tokenOf(await latestLinkTo("twice@example.com", "staff-invite"));
    const again = await reinviteStaff(CLI_ACTOR, userId);
    expect(again.mail).toEqual({ sent: true });
    expect(await checkInviteLink(first)).toEqual({ ok: false, reason: "unknown" });
    expect(await checkInviteLink(tokenOf(again.url))).toMatchObject({ ok: true });
    expect(await acceptInvite(tokenOf(again.url), STRONG_PASSWORD, request(), here)).toMatchObject({ outcome: "signed-in", role: "ADMIN" });
    expect((await errorOf(reinviteStaff(CLI_ACTOR, userId))).message).toMatch(/already accepted/);
    expect((await auditOf(userId)).map((e) => e.action)).toEqual(["user.invite", "user.reinvite", "user.accept"]);
  });
});

describe("units and roles", () => {
  it("sets a marketer's units and records the slugs added and removed; an unchanged save records nothing", async () => {
    const marketer = await inviteAndAccept("units@example.com", "MARKETER", [unitA.id]);
    expect(await setStaffUnits(CLI_ACTOR, marketer.id, [unitB.id])).toEqual({ added: [unitB.slug], removed: [unitA.slug] });
    expect(await setStaffUnits(CLI_ACTOR, marketer.id, [unitB.id])).toEqual({ added: [], removed: [] });
    expect((await db.membership.findMany({ where: { userId: marketer.id } })).map((m) => m.unitId)).toEqual([unitB.id]);
    const entries = (await auditOf(marketer.id)).filter((e) => e.action === "user.units");
    expect(entries.map((e) => JSON.parse(e.detail!))).toEqual([{ added: [unitB.slug], removed: [unitA.slug] }]);
    expect((await errorOf(setStaffUnits(CLI_ACTOR, admin.id, [unitA.id]))).field).toBe("units");
  });

  it("changes a role, but not one's own, and never demotes the last active admin", async () => {
    const marketer = await inviteAndAccept("promoted@example.com", "MARKETER");
    expect(await changeStaffRole(staffActor(admin, here), marketer.id, "ADMIN")).toEqual({ changed: true });
    expect((await errorOf(changeStaffRole(staffActor(admin, here), admin.id, "MARKETER"))).message).toMatch(/your own role/);
    // Demote every other admin through the CLI: the last active one stays.
    const admins = await db.user.findMany({ where: { role: "ADMIN", accessRevokedAt: null, emailVerifiedAt: { not: null } }, orderBy: { id: "desc" } });
    for (const other of admins.slice(0, -1)) await changeStaffRole(CLI_ACTOR, other.id, "MARKETER");
    const last = admins.at(-1)!;
    expect((await errorOf(changeStaffRole(CLI_ACTOR, last.id, "MARKETER"))).message).toMatch(/last active admin/);
    expect((await errorOf(revokeStaffAccess(CLI_ACTOR, last.id))).message).toMatch(/last active admin/);
    expect((await db.user.findUniqueOrThrow({ where: { id: last.id } })).role).toBe("ADMIN");
    // Put the admins back for the tests after this one.
    for (const other of admins.slice(0, -1)) await changeStaffRole(CLI_ACTOR, other.id, "ADMIN");
    const audit = (await auditOf(marketer.id)).find((e) => e.action === "user.role")!;
    expect(JSON.parse(audit.detail!)).toEqual({ email: "promoted@example.com", from: "MARKETER", to: "ADMIN" });
  });
});

describe("revoking access", () => {
  it("ends every session at once, refuses password, link and reset sign-ins like a wrong password, and can be undone", async () => {
    const marketer = await inviteAndAccept("revoked@example.com", "MARKETER", [unitA.id]);
    expect(await readSignedInUser(requestWithCookie(marketer.cookie))).toMatchObject({ id: marketer.id });
    expect((await errorOf(revokeStaffAccess(staffActor(admin, here), admin.id))).message).toMatch(/your own access/);

    expect(await revokeStaffAccess(staffActor(admin, here), marketer.id)).toEqual({ sessionsEnded: 1 });
    expect(await readSignedInUser(requestWithCookie(marketer.cookie))).toBeNull();
    const right = await signInWithPassword({ email: marketer.email, password: STRONG_PASSWORD }, request(), { ip: null, userAgent: null });
    const wrong = await signInWithPassword({ email: "nobody-here@example.com", password: STRONG_PASSWORD }, request(), { ip: null, userAgent: null });
    expect(right).toEqual(wrong);
    const mailBefore = (await messagesTo(marketer.email)).length;
    await requestSignInLink(marketer.email, { ip: null, userAgent: null });
    await requestPasswordReset(marketer.email, { ip: null, userAgent: null });
    expect(await messagesTo(marketer.email)).toHaveLength(mailBefore);
    expect(await db.user.count({ where: { id: marketer.id } })).toBe(1);
    expect(await db.membership.count({ where: { userId: marketer.id } })).toBe(1);
    expect((await errorOf(revokeStaffAccess(CLI_ACTOR, marketer.id))).message).toMatch(/already revoked/);

    await restoreStaffAccess(staffActor(admin, here), marketer.id);
    expect(await signInWithPassword({ email: marketer.email, password: STRONG_PASSWORD }, request(), { ip: null, userAgent: null })).toMatchObject({
      outcome: "signed-in",
    });
    expect((await auditOf(marketer.id)).map((e) => e.action)).toEqual(["user.invite", "user.accept", "user.revoke", "user.restore"]);
  });

  it("a revoked account is refused even with a session that is still live (belt and braces)", async () => {
    const marketer = await inviteAndAccept("belt@example.com", "MARKETER");
    // Access revoked without its sessions ending, as if the session update had been missed.
    await db.user.update({ where: { id: marketer.id }, data: { accessRevokedAt: new Date() } });
    expect(await db.session.count({ where: { userId: marketer.id, revokedAt: null } })).toBe(1);
    expect(await readSignedInUser(requestWithCookie(marketer.cookie))).toBeNull();
  });

  it("makes an outstanding invitation link stop working", async () => {
    const { userId, url } = await inviteStaff(CLI_ACTOR, { email: "never-accepted@example.com", name: null, role: "MARKETER", unitIds: [] });
    await revokeStaffAccess(CLI_ACTOR, userId);
    expect(await acceptInvite(tokenOf(url), STRONG_PASSWORD, request(), here)).toMatchObject({ outcome: "bad-link" });
    await restoreStaffAccess(CLI_ACTOR, userId);
    expect(await checkInviteLink(tokenOf(url))).toMatchObject({ ok: false });
    expect((await findStaffMember(userId))?.inviteExpiresAt).toBeNull();
  });
});
