import crypto from "node:crypto";
import { emailedLink } from "./outbox.ts";
import { db } from "~/utils/db.server.ts";
import { ensureSigningKey } from "~/domain/tokens/keyring.server.ts";
import { hashPassword } from "~/domain/accounts/passwords.server.ts";
import { accountMailSettled } from "~/domain/accounts/account-mail.server.ts";
import { createContact, createExemptCategories, createUnit } from "./fixtures.ts";

// Accounts made through the data layer for domain tests, and the mail they cause.

export const STRONG_PASSWORD = "quiet-harbour-lantern-4821";

/** The group identity account mail is sent as (ADR 044), as an admin sets it at /admin/group. */
export const TEST_GROUP = { name: "Example Group", fromEmail: "accounts@example-group.com", legalName: "Example Group Ltd", postalAddress: "1 Group Square, Springfield" };

export async function setGroupIdentity(values: Partial<typeof TEST_GROUP> = {}) {
  const identity = { ...TEST_GROUP, ...values };
  await db.groupIdentity.upsert({ where: { id: 1 }, create: { id: 1, ...identity }, update: identity });
  return identity;
}

/** A unit with the demo's exempt categories and the group identity, so account mail has a sender. */
export async function createMailingUnit() {
  const unit = await createUnit();
  await createExemptCategories(unit.id);
  await setGroupIdentity();
  // Service mail carries a signed preferences link in its footer.
  await ensureSigningKey();
  return unit;
}

export async function createSubscriber(options: { email?: string; password?: string; verified?: boolean; withContact?: boolean } = {}) {
  const email = options.email ?? `member-${crypto.randomBytes(4).toString("hex")}@example.com`;
  const contact = options.withContact === false ? null : await createContact(email);
  return db.user.create({
    data: {
      email,
      name: "Test Member",
      role: "SUBSCRIBER",
      passwordHash: await hashPassword(options.password ?? STRONG_PASSWORD),
      emailVerifiedAt: options.verified === false ? null : new Date(),
      contactId: options.verified === false ? null : (contact?.id ?? null),
    },
  });
}

/** The account messages sent so far to an address, oldest first (after background sends finish). */
export async function messagesTo(email: string) {
  await accountMailSettled();
  return db.transactionalMessage.findMany({
    where: { toEmail: email },
    orderBy: { id: "asc" },
    select: { template: true, status: true, data: true, category: { select: { slug: true } } },
  });
}

/** The link inside the latest message of a template to an address, read from the outbox. */
export async function latestLinkTo(email: string, template: string): Promise<string> {
  await accountMailSettled();
  const link = await emailedLink(process.env.OUTBOX_DIR!, email, template);
  if (!link) throw new Error(`No ${template} message to ${email}`);
  return link;
}

export const tokenOf = (url: string) => url.split("/").at(-1)!;

export function requestWithCookie(setCookie?: string | null, path = "/account"): Request {
  const cookie = setCookie ? setCookie.split(";")[0] : "";
  return new Request(`http://localhost${path}`, { headers: cookie ? { cookie } : {} });
}
