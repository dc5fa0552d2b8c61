import crypto from "node:crypto";
import { db } from "~/utils/db.server.ts";
import { hashPassword } from "~/domain/accounts/passwords.server.ts";
import { accountMailSettled } from "~/domain/accounts/account-mail.server.ts";
import { createContact, createExemptCategories, createUnit } from "./fixtures.ts";

// Accounts made through the data layer for domain tests, and the mail they cause.

export const STRONG_PASSWORD = "quiet-harbour-lantern-4821";

/** A unit with the demo's exempt categories, so account mail has a sender. */
export async function createMailingUnit() {
  const unit = await createUnit();
  await createExemptCategories(unit.id);
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

/** The URL inside the latest message to an address with the given template. */
export async function latestLinkTo(email: string, template: string): Promise<string> {
  const messages = (await messagesTo(email)).filter((m) => m.template === template);
  if (messages.length === 0) throw new Error(`No ${template} message to ${email}`);
  return JSON.parse(messages.at(-1)!.data).url;
}

export const tokenOf = (url: string) => url.split("/").at(-1)!;

export function requestWithCookie(setCookie?: string | null, path = "/account"): Request {
  const cookie = setCookie ? setCookie.split(";")[0] : "";
  return new Request(`http://localhost${path}`, { headers: cookie ? { cookie } : {} });
}
