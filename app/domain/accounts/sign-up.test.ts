import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { isErasedAddress } from "~/domain/consent/contacts.server.ts";
import { importContacts } from "~/domain/imports/contact-import.server.ts";
import { HEADER } from "~/domain/imports/contact-csv.ts";
import { createContact, createTopic } from "../../../tests/helpers/fixtures.ts";
import { createMailingUnit, createSubscriber, latestLinkTo, messagesTo, requestWithCookie, STRONG_PASSWORD, tokenOf } from "../../../tests/helpers/accounts.ts";
import { checkResetLink, requestPasswordReset, resetPassword } from "./password-reset.server.ts";
import { openUserSession, readSession } from "./sessions.server.ts";
import { signInWithPassword } from "./sign-in.server.ts";
import { checkSignUpLink, confirmSignUp, signUp } from "./sign-up.server.ts";

const MINUTE = 60_000;
const nobody = { ip: null, userAgent: "vitest" };
const request = () => new Request("http://localhost/signup");
const newAddress = () => `new-${Math.random().toString(36).slice(2, 10)}@example.net`;

beforeEach(async () => {
  await createMailingUnit();
});

describe("sign-up", () => {
  it("links to the address's existing Contact only after the link is used with the password chosen", async () => {
    const contact = await createContact(newAddress());
    expect(await signUp({ email: contact.email, name: "Ada", password: STRONG_PASSWORD }, nobody)).toEqual({ outcome: "check-inbox" });
    const pending = await db.user.findUniqueOrThrow({ where: { email: contact.email } });
    expect(pending).toMatchObject({ contactId: null, emailVerifiedAt: null, role: "SUBSCRIBER", name: "Ada" });

    // Not before: a password sign-in is refused (and a new link is sent), nothing is linked.
    expect((await signInWithPassword({ email: contact.email, password: STRONG_PASSWORD }, request(), nobody)).outcome).toBe("unconfirmed");
    expect((await db.user.findUniqueOrThrow({ where: { id: pending.id } })).contactId).toBeNull();

    const url = await latestLinkTo(contact.email, "sign-up-confirmation");
    expect(url).toMatch(/\/signup\/confirm\/[\w-]{43}$/);
    expect(await checkSignUpLink(tokenOf(url))).toEqual({ ok: true, email: contact.email });
    expect(await confirmSignUp(tokenOf(url), "someone-elses-password", request(), nobody)).toEqual({ outcome: "wrong-password" });
    expect((await db.user.findUniqueOrThrow({ where: { id: pending.id } })).contactId).toBeNull();

    const confirmed = await confirmSignUp(tokenOf(url), STRONG_PASSWORD, request(), nobody);
    expect(confirmed.outcome).toBe("signed-in");
    const user = await db.user.findUniqueOrThrow({ where: { id: pending.id } });
    expect(user.contactId).toBe(contact.id);
    expect(user.emailVerifiedAt).not.toBeNull();
    expect(await confirmSignUp(tokenOf(url), STRONG_PASSWORD, request(), nobody)).toEqual({ outcome: "bad-link", reason: "used" });
  });

  it("makes one account when the same address signs up several times at once (a double click, two tabs)", async () => {
    const email = newAddress();
    const answers = await Promise.allSettled(["Ann", "Anna", "Annie"].map((name) => signUp({ email, name, password: STRONG_PASSWORD }, nobody)));
    expect(answers).toEqual(answers.map(() => ({ status: "fulfilled", value: { outcome: "check-inbox" } })));
    expect(await db.user.count({ where: { email } })).toBe(1);
  });

  it("creates a Contact for a new address on confirmation", async () => {
    const email = newAddress();
    await signUp({ email, name: "Ben", password: STRONG_PASSWORD }, nobody);
    expect(await db.contact.count({ where: { email } })).toBe(0);
    await confirmSignUp(tokenOf(await latestLinkTo(email, "sign-up-confirmation")), STRONG_PASSWORD, request(), nobody);
    const contact = await db.contact.findUniqueOrThrow({ where: { email }, include: { user: true } });
    expect(contact).toMatchObject({ name: "Ben", user: { email } });
  });

  it("answers the same for an address that has an account, and mails its holder a sign-in link instead", async () => {
    const holder = await createSubscriber();
    const before = await db.user.findUniqueOrThrow({ where: { id: holder.id } });
    expect(await signUp({ email: holder.email, name: "Intruder", password: "another-strong-pass-9321" }, nobody)).toEqual({ outcome: "check-inbox" });
    expect(await db.user.findUniqueOrThrow({ where: { id: holder.id } })).toEqual(before);
    const messages = await messagesTo(holder.email);
    expect(messages.map((m) => [m.template, m.category.slug])).toEqual([["sign-in-link", "sign-in-link"]]);
    expect(new URL(await latestLinkTo(holder.email, "sign-in-link")).pathname).toMatch(/^\/login\/link\//);
  });

  it("a stranger's unconfirmed sign-up cannot keep the owner out: signing up again replaces it", async () => {
    const email = newAddress();
    await signUp({ email, name: "Stranger", password: "stranger-chose-this-8812" }, nobody);
    const strangersLink = tokenOf(await latestLinkTo(email, "sign-up-confirmation"));
    await signUp({ email, name: "Owner", password: STRONG_PASSWORD }, nobody);
    expect(await checkSignUpLink(strangersLink)).toEqual({ ok: false, reason: "unknown" });
    const ownersLink = tokenOf(await latestLinkTo(email, "sign-up-confirmation"));
    expect(await confirmSignUp(ownersLink, "stranger-chose-this-8812", request(), nobody)).toEqual({ outcome: "wrong-password" });
    expect((await confirmSignUp(ownersLink, STRONG_PASSWORD, request(), nobody)).outcome).toBe("signed-in");
    expect(await db.user.findUniqueOrThrow({ where: { email } })).toMatchObject({ name: "Owner" });
  });

  it("refuses a weak password before anything is stored", async () => {
    const email = newAddress();
    expect(await signUp({ email, name: "Cy", password: "password1234" }, nobody)).toMatchObject({ outcome: "weak-password" });
    expect(await db.user.count({ where: { email } })).toBe(0);
  });

  it("lets an erased person come back: the confirmation reaches the address, and only confirming lifts the ERASED block, in the ledger", async () => {
    const email = newAddress();
    await applyConsentChange({ kind: "suppress", email, reason: "ERASED" }, { source: "PREFERENCE_CENTER", actor: "user:1" });
    expect(await signUp({ email, name: "Dee", password: STRONG_PASSWORD }, nobody)).toEqual({ outcome: "check-inbox" });
    expect((await messagesTo(email)).map((m) => [m.template, m.status])).toEqual([["sign-up-confirmation", "SENT"]]);
    // Asking is not coming back: until the link is used with the password, the address stays erased.
    expect(await isErasedAddress(email)).toBe(true);
    expect(await db.contact.count({ where: { email } })).toBe(0);

    const url = await latestLinkTo(email, "sign-up-confirmation");
    expect((await confirmSignUp(tokenOf(url), STRONG_PASSWORD, request(), { ip: "203.0.113.9", userAgent: "vitest" })).outcome).toBe("signed-in");
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(await isErasedAddress(email)).toBe(false);
    expect(user.contactId).toBe((await db.contact.findUniqueOrThrow({ where: { email } })).id);
    const lifted = await db.consentEvent.findFirstOrThrow({ where: { action: "UNSUPPRESS" }, orderBy: { id: "desc" } });
    expect(lifted).toMatchObject({ changed: true, source: "PREFERENCE_CENTER", actor: `user:${user.id}`, ip: "203.0.113.9", channel: "EMAIL" });
    expect(JSON.parse(lifted.detail!)).toMatchObject({ reason: "ERASED" });
  });

  it("an erased person who signed up but did not confirm is still erased for an import", async () => {
    const unit = await createMailingUnit();
    const topic = await createTopic(unit.id, { slug: "offers" });
    const email = newAddress();
    await applyConsentChange({ kind: "suppress", email, reason: "ERASED" }, { source: "PREFERENCE_CENTER" });
    await signUp({ email, name: "Dee", password: STRONG_PASSWORD }, nobody);
    const content = `${HEADER}\n${email},Dee,${topic.slug},email,express,2026-01-01,fair\n`;
    const report = await importContacts({ unitId: unit.id, input: { content }, actor: "cli:import" });
    expect(report.skipped.ERASED).toBe(1);
    expect(await db.contact.count({ where: { email } })).toBe(0);
    expect(await isErasedAddress(email)).toBe(true);
  });

  it("says so when mail to the address bounced permanently: nothing is sent or stored", async () => {
    const email = newAddress();
    await applyConsentChange({ kind: "suppress", email, reason: "HARD_BOUNCE" }, { source: "BOUNCE" });
    expect(await signUp({ email, name: "Eve", password: STRONG_PASSWORD }, nobody)).toEqual({ outcome: "cannot-mail", reason: "bounced" });
    expect(await messagesTo(email)).toEqual([]);
    expect(await db.user.count({ where: { email } })).toBe(0);
  });

  it("a password sign-in of an unconfirmed account says whether a new link was sent", async () => {
    const erased = newAddress();
    await applyConsentChange({ kind: "suppress", email: erased, reason: "ERASED" }, { source: "PREFERENCE_CENTER" });
    await signUp({ email: erased, name: "Dee", password: STRONG_PASSWORD }, nobody);
    expect(await signInWithPassword({ email: erased, password: STRONG_PASSWORD }, request(), nobody)).toEqual({ outcome: "unconfirmed", linkSent: true });
    expect((await messagesTo(erased)).map((m) => m.status)).toEqual(["SENT", "SENT"]);

    // The confirmation bounced: the address is suppressed after the account was made.
    const bounced = newAddress();
    await signUp({ email: bounced, name: "Fay", password: STRONG_PASSWORD }, nobody);
    expect((await messagesTo(bounced)).map((m) => m.status)).toEqual(["SENT"]);
    await applyConsentChange({ kind: "suppress", email: bounced, reason: "HARD_BOUNCE" }, { source: "BOUNCE" });
    expect(await signInWithPassword({ email: bounced, password: STRONG_PASSWORD }, request(), nobody)).toEqual({ outcome: "unconfirmed", linkSent: false, reason: "bounced" });
    expect((await messagesTo(bounced)).map((m) => m.status)).toEqual(["SENT"]);
  });
});

describe("password reset", () => {
  it("mails a one-hour, single-use link; the new password follows the rules, ends every session and raises an alert", async () => {
    const user = await createSubscriber();
    const oldSession = await openUserSession(user.id, requestWithCookie(), nobody);
    expect(await requestPasswordReset(user.email, nobody)).toEqual({ outcome: "requested" });
    expect(await requestPasswordReset("nobody-at-all@example.net", nobody)).toEqual({ outcome: "requested" });
    expect(await messagesTo("nobody-at-all@example.net")).toEqual([]);
    const [message] = await messagesTo(user.email);
    expect(message).toMatchObject({ template: "password-reset", category: { slug: "account-security" } });
    expect(JSON.parse(message.data).expiresInMinutes).toBe(60);
    const token = tokenOf(await latestLinkTo(user.email, "password-reset"));

    expect(await checkResetLink(token)).toEqual({ ok: true, email: user.email });
    expect(await resetPassword(token, "short", request(), nobody)).toMatchObject({ outcome: "weak-password", message: "Use at least 12 characters." });
    const done = await resetPassword(token, "brand-new-meadow-lantern-77", request(), nobody);
    expect(done.outcome).toBe("reset");
    expect(await readSession(requestWithCookie(oldSession))).toBeNull();
    expect(await resetPassword(token, "another-new-password-991", request(), nobody)).toEqual({ outcome: "bad-link", reason: "used" });

    expect((await signInWithPassword({ email: user.email, password: STRONG_PASSWORD }, request(), nobody)).outcome).toBe("wrong-credentials");
    expect((await signInWithPassword({ email: user.email, password: "brand-new-meadow-lantern-77" }, request(), nobody)).outcome).toBe("signed-in");
    const alerts = (await messagesTo(user.email)).filter((m) => m.template === "account-security-alert");
    expect(alerts.map((a) => JSON.parse(a.data).event)).toEqual(["Your password was changed with a reset link, and every device was signed out"]);
  });

  it("expires after an hour", async () => {
    const user = await createSubscriber();
    const now = new Date();
    await requestPasswordReset(user.email, nobody, now);
    const token = tokenOf(await latestLinkTo(user.email, "password-reset"));
    expect(await checkResetLink(token, new Date(now.getTime() + 60 * MINUTE))).toEqual({ ok: false, reason: "expired" });
  });
});
