import type { Db, Tx } from "~/utils/db.server.ts";
import { db, inTransaction } from "~/utils/db.server.ts";
import { addressHash } from "./address-hash.server.ts";
import { applyConsentChange, type ConsentContext } from "./changes.server.ts";
import { normalizeEmail } from "./email.ts";

/**
 * Finds the contact for an address or creates it. A new contact is linked to the address's
 * existing suppressions, so a bounce recorded before the contact existed still blocks it.
 */
export async function findOrCreateContact(
  input: { email: string; name?: string | null; locale?: string | null },
  client: Db | Tx = db,
): Promise<{ id: number; email: string; created: boolean }> {
  const email = normalizeEmail(input.email);
  const existing = await client.contact.findUnique({ where: { email }, select: { id: true, email: true } });
  if (existing) return { ...existing, created: false };
  // The same address signed up twice at once: the unique index makes one INSERT add it and the
  // other do nothing (on PostgreSQL it waits for the first to commit, then finds its row).
  const now = new Date();
  const [inserted] = await client.$queryRaw<{ id: number | bigint }[]>`
    INSERT INTO "Contact" ("email", "name", "locale", "createdAt", "updatedAt") VALUES (${email}, ${input.name ?? null}, ${input.locale ?? null}, ${now}, ${now})
    ON CONFLICT ("email") DO NOTHING RETURNING "id"`;
  if (!inserted) return { ...(await client.contact.findUniqueOrThrow({ where: { email }, select: { id: true, email: true } })), created: false };
  const contact = { id: Number(inserted.id), email };
  await client.suppression.updateMany({
    where: { emailHash: addressHash(email), reason: { not: "ERASED" } },
    data: { contactId: contact.id },
  });
  return { ...contact, created: true };
}

/** True when the address was erased at the person's request: it must never be re-added. */
export async function isErasedAddress(email: string, client: Db | Tx = db): Promise<boolean> {
  const row = await client.suppression.findUnique({
    where: { emailHash_reason: { emailHash: addressHash(email), reason: "ERASED" } },
    select: { id: true },
  });
  return row !== null;
}

/** The new address already belongs to another contact: the caller decides what to do. */
export class ContactEmailTakenError extends Error {
  name = "ContactEmailTakenError";
}

/**
 * Moves a contact to a new address (after the person proved it). Its preferences stay; the
 * address-level suppressions follow the addresses: the old address's are unlinked from the
 * contact, the new address's (bounces, complaints recorded before) are linked to it.
 */
export async function changeContactEmail(contactId: number, newEmailInput: string, client: Db | Tx = db): Promise<void> {
  const newEmail = normalizeEmail(newEmailInput);
  const work = async (tx: Tx) => {
    const contact = await tx.contact.findUniqueOrThrow({ where: { id: contactId }, select: { email: true } });
    if (contact.email === newEmail) return;
    const taken = await tx.contact.findUnique({ where: { email: newEmail }, select: { id: true } });
    if (taken) throw new ContactEmailTakenError(`Another contact already has the address ${newEmail}.`);
    await tx.contact.update({ where: { id: contactId }, data: { email: newEmail } });
    await tx.suppression.updateMany({ where: { contactId, emailHash: addressHash(contact.email) }, data: { contactId: null } });
    await tx.suppression.updateMany({
      where: { emailHash: addressHash(newEmail), reason: { not: "ERASED" } },
      data: { contactId },
    });
  };
  await inTransaction(client, work);
}

/**
 * The person changed their name on their account: the contact (what emails greet and the data
 * download shows) carries the same name, so the product knows one name for one person.
 */
export async function renameContact(contactId: number, name: string, client: Db | Tx = db): Promise<void> {
  await client.contact.update({ where: { id: contactId }, data: { name } });
}

/**
 * Erasure at the person's request: the contact and everything hanging off it go (its
 * subscriptions, opt-outs, pauses and sharing consents cascade; ledger events keep their
 * facts with no contact), the address is kept only as the keyed hash of an ERASED
 * suppression so no later import can add it again, and other suppressions of the address
 * keep their hash but lose the address itself. Messages that came back about the address
 * (bounces, complaints) lose their text.
 */
export async function eraseContact(emailInput: string, context: ConsentContext, client: Db | Tx = db): Promise<{ erasedContactId: number | null }> {
  const email = normalizeEmail(emailInput);
  const work = async (tx: Tx) => {
    await applyConsentChange({ kind: "suppress", email, reason: "ERASED" }, context, tx);
    await tx.suppression.updateMany({ where: { emailHash: addressHash(email), email: { not: null } }, data: { email: null } });
    const contact = await tx.contact.findUnique({ where: { email }, select: { id: true } });
    // What came back from mail about the person keeps its facts (kind, time, campaign) but not
    // the messages, which carry the address.
    await tx.inboundMessage.updateMany({
      where: contact ? { OR: [{ contactId: contact.id }, { recipient: email }] } : { recipient: email },
      data: { recipient: null, raw: null, mailFrom: null, diagnostic: null },
    });
    if (contact) await tx.contact.delete({ where: { id: contact.id } });
    return { erasedContactId: contact?.id ?? null };
  };
  return inTransaction(client, work);
}
