import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { addressHash } from "~/domain/consent/address-hash.server.ts";
import { applyConsentChange, applyConsentChanges } from "~/domain/consent/changes.server.ts";
import { findOrCreateContact, isErasedAddress } from "~/domain/consent/contacts.server.ts";
import { createContact, createTopic } from "../../../tests/helpers/fixtures.ts";
import { createMailingUnit, createSubscriber, latestLinkTo, messagesTo, requestWithCookie, STRONG_PASSWORD, tokenOf } from "../../../tests/helpers/accounts.ts";
import {
  changePassword,
  checkEmailChangeLink,
  confirmEmailChange,
  deleteAccount,
  exportAccountData,
  loadAccount,
  requestEmailChange,
} from "./account.server.ts";
import { pruneInactiveAccounts } from "./prune.server.ts";
import { openUserSession, readSession } from "./sessions.server.ts";

const DAY = 86_400_000;
const nobody = { ip: "203.0.113.20", userAgent: "vitest" };
const newAddress = () => `moved-${Math.random().toString(36).slice(2, 10)}@example.org`;

let unit: { id: number };
let topic: { id: number };
beforeEach(async () => {
  unit = await createMailingUnit();
  topic = await createTopic(unit.id);
});

/** A subscriber with some preference state, written through the consent core. */
async function subscriberWithPreferences() {
  const user = await createSubscriber();
  const contactId = user.contactId!;
  await applyConsentChanges(
    [
      { kind: "subscribe", contactId, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" },
      { kind: "optOutOfUnit", contactId, unitId: unit.id, channel: "POSTAL" },
      { kind: "snooze", contactId, unitId: unit.id, until: new Date(Date.now() + 30 * DAY) },
      { kind: "setSharing", contactId, purpose: "GROUP_COMPANIES", granted: true },
    ],
    { source: "PREFERENCE_CENTER", actor: `user:${user.id}` },
  );
  return user;
}

describe("changing the email address", () => {
  it("applies only after the link sent to the NEW address is used; the OLD address is told; the Contact moves too", async () => {
    const user = await subscriberWithPreferences();
    const target = newAddress();
    expect(await requestEmailChange(user.id, { newEmail: target, currentPassword: "wrong-password-x" }, nobody)).toEqual({ outcome: "wrong-password" });
    expect(await requestEmailChange(user.id, { newEmail: target, currentPassword: STRONG_PASSWORD }, nobody)).toEqual({ outcome: "sent", newEmail: target });

    // Nothing has changed yet.
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ email: user.email });
    expect(await db.contact.findUniqueOrThrow({ where: { id: user.contactId! } })).toMatchObject({ email: user.email });
    expect((await loadAccount(user.id)).pendingEmail).toBe(target);

    const [verification] = await messagesTo(target);
    expect(verification).toMatchObject({ template: "email-change-verification", category: { slug: "account-security" } });
    const oldNotices = (await messagesTo(user.email)).filter((m) => m.template === "account-security-alert");
    expect(oldNotices).toHaveLength(1);
    expect(JSON.parse(oldNotices[0].data).event).toBe(`Someone asked to change your account's email address to ${target[0]}•••@example.org`);

    const token = tokenOf(await latestLinkTo(target, "email-change-verification"));
    expect(await checkEmailChangeLink(token)).toEqual({ ok: true, newEmail: target });
    expect(await confirmEmailChange(token, nobody)).toEqual({ outcome: "changed", newEmail: target });
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ email: target, contactId: user.contactId });
    expect(await db.contact.findUniqueOrThrow({ where: { id: user.contactId! } })).toMatchObject({ email: target });
    // Preferences stayed with the contact.
    expect(await db.subscription.count({ where: { contactId: user.contactId! } })).toBe(1);
    expect(await confirmEmailChange(token, nobody)).toEqual({ outcome: "bad-link", reason: "used" });
    // The old address hears that it happened.
    const alerts = (await messagesTo(user.email)).filter((m) => m.template === "account-security-alert");
    expect(JSON.parse(alerts.at(-1)!.data).event).toMatch(/email address was changed to/);
  });

  it.each(["HARD_BOUNCE", "ERASED"] as const)("does not claim a link was sent to a new address mail cannot reach (%s): it says so, and nothing is sent", async (reason) => {
    const user = await createSubscriber();
    const target = newAddress();
    await applyConsentChange({ kind: "suppress", email: target, reason }, { source: "ADMIN" });
    const answer = await requestEmailChange(user.id, { newEmail: target, currentPassword: STRONG_PASSWORD }, nobody);
    expect(answer).toEqual({ outcome: "cannot-mail", reason: reason === "HARD_BOUNCE" ? "bounced" : "erased" });
    expect(await messagesTo(target)).toEqual([]);
    expect((await loadAccount(user.id)).pendingEmail).toBeNull();
  });

  it("moves address-level suppressions with the addresses", async () => {
    const user = await createSubscriber();
    const target = newAddress();
    await applyConsentChange({ kind: "suppress", email: user.email, reason: "HARD_BOUNCE" }, { source: "BOUNCE" });
    await applyConsentChange({ kind: "suppress", email: target, reason: "COMPLAINT" }, { source: "COMPLAINT" });
    await requestEmailChange(user.id, { newEmail: target, currentPassword: STRONG_PASSWORD }, nobody);
    await confirmEmailChange(tokenOf(await latestLinkTo(target, "email-change-verification")), nobody);
    const linked = await db.suppression.findMany({ where: { contactId: user.contactId! }, select: { reason: true } });
    expect(linked).toEqual([{ reason: "COMPLAINT" }]);
  });

  it("refuses, once the link proves the address, when that address has its own account", async () => {
    const user = await createSubscriber();
    const other = await createSubscriber();
    await requestEmailChange(user.id, { newEmail: other.email, currentPassword: STRONG_PASSWORD }, nobody);
    const token = tokenOf(await latestLinkTo(other.email, "email-change-verification"));
    expect(await confirmEmailChange(token, nobody)).toEqual({ outcome: "address-has-account" });
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ email: user.email });
  });

  it("links to the new address's own Contact when it already had one; the old address keeps its preferences", async () => {
    const user = await subscriberWithPreferences();
    const existing = await createContact(newAddress());
    await requestEmailChange(user.id, { newEmail: existing.email, currentPassword: STRONG_PASSWORD }, nobody);
    await confirmEmailChange(tokenOf(await latestLinkTo(existing.email, "email-change-verification")), nobody);
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ email: existing.email, contactId: existing.id });
    expect(await db.contact.findUniqueOrThrow({ where: { id: user.contactId! } })).toMatchObject({ email: user.email });
  });
});

describe("changing the password while signed in", () => {
  it("ends the other sessions, keeps this one, and alerts", async () => {
    const user = await createSubscriber();
    const here = await openUserSession(user.id, requestWithCookie(), nobody);
    const elsewhere = await openUserSession(user.id, requestWithCookie(), nobody);
    const hereId = (await readSession(requestWithCookie(here)))!.id;
    expect(await changePassword(user.id, hereId, { currentPassword: STRONG_PASSWORD, newPassword: "letmein12345" }, nobody)).toMatchObject({ outcome: "weak-password" });
    expect(await changePassword(user.id, hereId, { currentPassword: "not-it-at-all", newPassword: "fresh-orchard-lamp-5521" }, nobody)).toEqual({ outcome: "wrong-password" });
    expect(await changePassword(user.id, hereId, { currentPassword: STRONG_PASSWORD, newPassword: "fresh-orchard-lamp-5521" }, nobody)).toEqual({ outcome: "changed", signedOutElsewhere: 1 });
    expect(await readSession(requestWithCookie(here))).not.toBeNull();
    expect(await readSession(requestWithCookie(elsewhere))).toBeNull();
    expect((await messagesTo(user.email)).map((m) => m.template)).toEqual(["account-security-alert"]);
  });
});

describe("download my data", () => {
  it("holds the profile, subscriptions, opt-outs, pauses, sharing consents and the contact's full ledger", async () => {
    const user = await subscriberWithPreferences();
    let text = "";
    for await (const chunk of await exportAccountData(user.id)) text += chunk;
    const data = JSON.parse(text);
    expect(data.profile).toMatchObject({ email: user.email, name: "Test Member", role: "subscriber" });
    expect(data.subscriptions).toEqual([expect.objectContaining({ channel: "email", status: "subscribed", topic: expect.any(String) })]);
    expect(data.optOuts.byUnit).toEqual([expect.objectContaining({ channel: "postal mail" })]);
    expect(data.snoozes).toHaveLength(1);
    expect(data.sharingConsents).toEqual([expect.objectContaining({ purpose: expect.stringMatching(/group/), granted: true })]);
    const ledger = await db.consentEvent.findMany({ where: { contactId: user.contactId! }, orderBy: { id: "asc" } });
    expect(data.ledger.map((e: { id: number }) => e.id)).toEqual(ledger.map((e) => e.id));
    expect(data.ledger[0]).toMatchObject({ action: "subscribed", detail: { basis: "you agreed to receive it" } });
    expect(text).not.toContain("passwordHash");
  });
});

describe("deleting the account (erasure)", () => {
  it("removes the account, sessions and Contact; keeps an ERASED hash so an import sees the address as erased; the ledger keeps its events", async () => {
    const user = await subscriberWithPreferences();
    const session = await openUserSession(user.id, requestWithCookie(), nobody);
    const contactId = user.contactId!;
    const eventIds = (await db.consentEvent.findMany({ where: { contactId }, select: { id: true } })).map((e) => e.id);
    const category = await db.exemptCategory.create({ data: { slug: `renewal-${user.id}`, name: "Renewals", reason: "r", legalClass: "TRANSACTION" } });
    const sent = await db.transactionalMessage.create({
      data: { categoryId: category.id, contactId, toEmail: user.email, template: "renewal-notice", data: JSON.stringify({ recipientName: "Rosa" }), idempotencyKey: `erase-${user.id}`, status: "SENT" },
    });

    expect(await deleteAccount(user.id, "not-my-password", nobody)).toEqual({ outcome: "wrong-password" });
    expect(await db.user.count({ where: { id: user.id } })).toBe(1);
    expect(await deleteAccount(user.id, STRONG_PASSWORD, nobody)).toEqual({ outcome: "deleted" });

    expect(await db.user.count({ where: { id: user.id } })).toBe(0);
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await readSession(requestWithCookie(session))).toBeNull();
    expect(await db.contact.count({ where: { id: contactId } })).toBe(0);
    for (const table of [db.subscription, db.unitOptOut, db.snooze, db.sharingConsent] as const) {
      expect(await (table as typeof db.subscription).count({ where: { contactId } })).toBe(0);
    }
    const kept = await db.consentEvent.findMany({ where: { id: { in: eventIds } } });
    expect(kept).toHaveLength(eventIds.length);
    expect(kept.every((e) => e.contactId === null)).toBe(true);
    const suppression = await db.suppression.findUniqueOrThrow({ where: { emailHash_reason: { emailHash: addressHash(user.email), reason: "ERASED" } } });
    expect(suppression).toMatchObject({ email: null, contactId: null });
    expect(JSON.stringify(await db.suppression.findMany())).not.toContain(user.email);
    const erasure = await db.consentEvent.findFirstOrThrow({ where: { action: "SUPPRESS", detail: { contains: "ERASED" } }, orderBy: { id: "desc" } });
    expect(erasure).toMatchObject({ contactId: null, source: "PREFERENCE_CENTER", actor: `user:${user.id}` });

    // Service-mail records keep what was sent and when, not to whom.
    expect(await db.transactionalMessage.findUniqueOrThrow({ where: { id: sent.id } })).toMatchObject({ toEmail: "erased@invalid", data: "{}", contactId: null, status: "SENT" });

    // What an import does: it must see the address as erased before creating anything.
    expect(await isErasedAddress(user.email.toUpperCase())).toBe(true);
  });

  it("an earlier bounce's plain address goes too, its hash stays", async () => {
    const user = await createSubscriber();
    await applyConsentChange({ kind: "suppress", email: user.email, reason: "HARD_BOUNCE" }, { source: "BOUNCE" });
    await deleteAccount(user.id, STRONG_PASSWORD, nobody);
    const rows = await db.suppression.findMany({ where: { emailHash: addressHash(user.email) }, orderBy: { reason: "asc" } });
    expect(rows.map((r) => [r.reason, r.email]).sort()).toEqual([["ERASED", null], ["HARD_BOUNCE", null]]);
  });

  it("an import after the erasure sees the address as erased (and the bounce still blocks a contact made anyway)", async () => {
    const user = await createSubscriber();
    await applyConsentChange({ kind: "suppress", email: user.email, reason: "HARD_BOUNCE" }, { source: "BOUNCE" });
    await deleteAccount(user.id, STRONG_PASSWORD, nobody);
    // An importer asks first, and skips the row.
    expect(await isErasedAddress(` ${user.email.toUpperCase()} `)).toBe(true);
    // A contact created regardless is still linked to the address's other blocks, never to the ERASED row.
    const again = await findOrCreateContact({ email: user.email });
    expect(await db.suppression.findMany({ where: { contactId: again.id }, select: { reason: true } })).toEqual([{ reason: "HARD_BOUNCE" }]);
  });
});

describe("pruning inactive accounts", () => {
  it("finds accounts unused for N days (last sign-in, else creation); --dry-run deletes nothing; contacts stay", async () => {
    const now = new Date();
    const old = await createSubscriber();
    const recent = await createSubscriber();
    const neverSignedIn = await createSubscriber();
    await db.user.update({ where: { id: old.id }, data: { lastSignInAt: new Date(now.getTime() - 800 * DAY), createdAt: new Date(now.getTime() - 900 * DAY) } });
    await db.user.update({ where: { id: recent.id }, data: { lastSignInAt: new Date(now.getTime() - 10 * DAY), createdAt: new Date(now.getTime() - 900 * DAY) } });
    await db.user.update({ where: { id: neverSignedIn.id }, data: { createdAt: new Date(now.getTime() - 731 * DAY) } });

    const dry = await pruneInactiveAccounts({ inactiveDays: 730, dryRun: true, now });
    const ids = dry.accounts.map((a) => a.id);
    expect(ids).toContain(old.id);
    expect(ids).toContain(neverSignedIn.id);
    expect(ids).not.toContain(recent.id);
    expect(dry.accounts.find((a) => a.id === old.id)!.maskedEmail).toBe(`m•••@example.com`);
    expect(await db.user.count({ where: { id: { in: [old.id, neverSignedIn.id] } } })).toBe(2);

    const real = await pruneInactiveAccounts({ inactiveDays: 730, dryRun: false, now });
    expect(real.accounts.map((a) => a.id)).toEqual(ids);
    expect(await db.user.count({ where: { id: { in: [old.id, neverSignedIn.id] } } })).toBe(0);
    expect(await db.user.count({ where: { id: recent.id } })).toBe(1);
    expect(await db.contact.count({ where: { id: { in: [old.contactId!, neverSignedIn.contactId!] } } })).toBe(2);
  });

  it("never removes the last admin", async () => {
    const now = new Date();
    await db.user.deleteMany({ where: { role: "ADMIN" } });
    const admin = await db.user.create({ data: { email: `admin-${Date.now()}@example.com`, role: "ADMIN", createdAt: new Date(now.getTime() - 1000 * DAY) } });
    const report = await pruneInactiveAccounts({ inactiveDays: 730, dryRun: false, now });
    expect(report.keptLastAdmin?.id).toBe(admin.id);
    expect(await db.user.count({ where: { id: admin.id } })).toBe(1);
  });
});
