import type { Db, Tx } from "~/utils/db.server.ts";
import { db } from "~/utils/db.server.ts";
import { addressHash } from "./address-hash.server.ts";
import { normalizeEmail } from "./email.ts";

/**
 * Finds the contact for an address or creates it. A new contact is linked to the address's
 * existing suppressions, so a bounce recorded before the contact existed still blocks it.
 */
export async function findOrCreateContact(
  input: { email: string; name?: string | null; locale?: string },
  client: Db | Tx = db,
): Promise<{ id: number; email: string; created: boolean }> {
  const email = normalizeEmail(input.email);
  const existing = await client.contact.findUnique({ where: { email }, select: { id: true, email: true } });
  if (existing) return { ...existing, created: false };
  const contact = await client.contact.create({
    data: { email, name: input.name ?? null, locale: input.locale ?? "en" },
    select: { id: true, email: true },
  });
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
