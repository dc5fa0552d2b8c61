import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { createContact, createExemptCategories, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { emailedMessages } from "../../../tests/helpers/outbox.ts";
import { createSubscriber, messagesTo, setGroupIdentity, STRONG_PASSWORD, TEST_GROUP } from "../../../tests/helpers/accounts.ts";
import { ensureSigningKey } from "~/domain/tokens/keyring.server.ts";
import { accountMailBlock, accountMailSettled } from "./account-mail.server.ts";
import { requestSignInLink, signInWithPassword } from "./sign-in.server.ts";
import { requestPasswordReset } from "./password-reset.server.ts";
import { changePassword, requestEmailChange } from "./account.server.ts";
import { signUp } from "./sign-up.server.ts";

// ADR 044: every message about a person's account comes from the group identity admins set,
// never from a unit (one person got "your Example Tax account" and "your Example Travel
// account" within a second when the sender was whichever unit they last dealt with).

const nobody = { ip: "203.0.113.9", userAgent: "vitest" };
const newAddress = () => `acct-${Math.random().toString(36).slice(2, 10)}@example.net`;
const outbox = () => process.env.OUTBOX_DIR!;

let tax: { id: number; displayName: string };
let travel: { id: number; displayName: string };
beforeEach(async () => {
  tax = await createUnit({ displayName: "Example Tax" });
  travel = await createUnit({ displayName: "Example Travel" });
  await createExemptCategories(tax.id);
  await ensureSigningKey();
});

/** The person's last dealings were with Travel, their first with Tax: the old rule picked either. */
async function personKnownToBothUnits(email: string) {
  const contact = await createContact(email);
  for (const unit of [tax, travel]) {
    const topic = await createTopic(unit.id);
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "ADMIN" });
  }
  return contact;
}

function expectFromTheGroup(message: Awaited<ReturnType<typeof emailedMessages>>[number]) {
  expect(message.from).toEqual({ name: TEST_GROUP.name, address: TEST_GROUP.fromEmail });
  const text = message.text ?? "";
  expect(text).toContain(TEST_GROUP.legalName);
  expect(text).toContain(TEST_GROUP.postalAddress);
  for (const unit of [tax, travel]) {
    expect(message.subject).not.toContain(unit.displayName);
    expect(text).not.toContain(unit.displayName);
  }
}

describe("account mail comes from the group identity", () => {
  it("sends every account message as the group, whatever units the person dealt with", async () => {
    await setGroupIdentity();
    const email = newAddress();
    await personKnownToBothUnits(email);
    const user = await createSubscriber({ email, withContact: false });
    await db.user.update({ where: { id: user.id }, data: { contactId: (await db.contact.findUniqueOrThrow({ where: { email } })).id } });

    await requestSignInLink(email, nobody);
    await requestPasswordReset(email, nobody);
    await changePassword(user.id, "no-session", { currentPassword: STRONG_PASSWORD, newPassword: "another-quiet-harbour-9917" }, nobody);
    const moved = newAddress();
    await requestEmailChange(user.id, { newEmail: moved, currentPassword: "another-quiet-harbour-9917" }, nobody);
    await accountMailSettled();

    const messages = [...(await emailedMessages(outbox(), email)), ...(await emailedMessages(outbox(), moved))];
    // Background sends: the outbox's order is not the order of the requests.
    expect(messages.map((m) => m.subject).sort()).toEqual([
      `Your sign-in link for ${TEST_GROUP.name}`,
      `Reset your ${TEST_GROUP.name} password`,
      // The new password, then the address change: each told to the address in use.
      `Security alert for your ${TEST_GROUP.name} account`,
      `Security alert for your ${TEST_GROUP.name} account`,
      "Confirm your new email address",
    ].sort());
    for (const message of messages) expectFromTheGroup(message);
    expect((await messagesTo(email)).every((m) => m.status === "SENT")).toBe(true);
  });

  it("confirms a sign-up in its own words, not the sign-in email's", async () => {
    await setGroupIdentity();
    const email = newAddress();
    expect(await signUp({ email, name: "Ada", password: STRONG_PASSWORD }, nobody)).toEqual({ outcome: "check-inbox" });
    // Signing in before confirming sends the confirmation again, still in its own words.
    expect((await signInWithPassword({ email, password: STRONG_PASSWORD }, new Request("http://localhost/login"), nobody)).outcome).toBe("unconfirmed");
    await accountMailSettled();

    const messages = await emailedMessages(outbox(), email);
    expect(messages).toHaveLength(2);
    for (const message of messages) {
      expectFromTheGroup(message);
      expect(message.subject).toBe(`Confirm your email address for your ${TEST_GROUP.name} account`);
      expect(message.text).toContain("If you did not sign up, you can ignore this email");
      expect(message.text).not.toMatch(/ask to sign in/);
      expect(message.text).toMatch(/\/signup\/confirm\//);
    }
    expect((await messagesTo(email)).map((m) => [m.template, m.category.slug])).toEqual([
      ["sign-up-confirmation", "sign-up-confirmation"],
      ["sign-up-confirmation", "sign-up-confirmation"],
    ]);
  });

  it("sends nothing before an admin has set the identity, and the page says so", async () => {
    await db.groupIdentity.deleteMany();
    const email = newAddress();
    expect(await accountMailBlock(email)).toBe("no-sender");
    expect(await signUp({ email, name: "Bo", password: STRONG_PASSWORD }, nobody)).toEqual({ outcome: "cannot-mail", reason: "no-sender" });
    await requestSignInLink(email, nobody);
    expect(await messagesTo(email)).toEqual([]);

    await setGroupIdentity({ name: "Later Group" });
    expect(await accountMailBlock(email)).toBeNull();
  });
});

describe("account mail in the person's language (ADR 047)", () => {
  it("writes a sign-in link in the contact's stored language, and in the page's when the page passes one", async () => {
    await setGroupIdentity();
    const german = await createSubscriber({ email: newAddress() });
    await db.contact.update({ where: { id: german.contactId! }, data: { locale: "de" } });
    const english = await createSubscriber({ email: newAddress() });
    const fromGermanPage = await createSubscriber({ email: newAddress() });

    await requestSignInLink(german.email, nobody);
    await requestSignInLink(english.email, nobody);
    await requestSignInLink(fromGermanPage.email, nobody, new Date(), "de");
    await accountMailSettled();

    for (const email of [german.email, fromGermanPage.email]) {
      const [message] = await emailedMessages(outbox(), email);
      expect(message.subject).toBe(`Ihr Anmeldelink für ${TEST_GROUP.name}`);
      expect(message.html).toContain('<html dir="ltr" lang="de">');
      expect(message.html).toContain("Anmelden");
      expect(message.text).toContain("Guten Tag Test Member,");
      expect(message.text).toContain("Der Link ist 15 Minuten gültig.");
      // The group category's reason is the product's words too.
      expect(message.text).toContain("Warum wir sie senden: Sie haben einen Link zur Anmeldung bei Ihrem Konto angefordert.");
      expect(message.text).not.toContain("Sign in");
      expectFromTheGroup(message);
    }
    const [inEnglish] = await emailedMessages(outbox(), english.email);
    expect(inEnglish.subject).toBe(`Your sign-in link for ${TEST_GROUP.name}`);
    expect(inEnglish.html).toContain('<html dir="ltr" lang="en">');
  });

  it("writes the sign-up confirmation in the sign-up page's language", async () => {
    await setGroupIdentity();
    const email = newAddress();
    expect(await signUp({ email, name: "Jörg", password: STRONG_PASSWORD, language: "de" }, nobody)).toEqual({ outcome: "check-inbox" });
    await accountMailSettled();
    const [message] = await emailedMessages(outbox(), email);
    expect(message.subject).toBe(`Bestätigen Sie Ihre E-Mail-Adresse für Ihr Konto bei ${TEST_GROUP.name}`);
    expect(message.html).toContain('lang="de"');
    expect(message.text).toContain("Guten Tag Jörg,");
    expect(message.text).toContain("Adresse bestätigen");
  });

  it("words a security alert, its event included, in the contact's language", async () => {
    await setGroupIdentity();
    const user = await createSubscriber({ email: newAddress() });
    await db.contact.update({ where: { id: user.contactId! }, data: { locale: "de", timeZone: "Europe/Berlin" } });
    await changePassword(user.id, "no-session", { currentPassword: STRONG_PASSWORD, newPassword: "another-quiet-harbour-9917" }, nobody);
    await accountMailSettled();
    const [message] = await emailedMessages(outbox(), user.email);
    expect(message.subject).toBe(`Sicherheitshinweis zu Ihrem Konto bei ${TEST_GROUP.name}`);
    expect(message.text).toContain("Ihr Passwort wurde geändert, und Ihre anderen Geräte wurden abgemeldet");
    expect(message.text).toMatch(/Wann: \d{1,2}\. \S+ \d{4} um \d\d:\d\d Uhr \(Europe\/Berlin\)/);
    expect(message.text).not.toMatch(/Your password|When:/);
  });
});
