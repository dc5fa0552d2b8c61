import { db } from "~/utils/db.server.ts";

export async function findContactEmail(contactId: number): Promise<string | null> {
  const contact = await db.contact.findUnique({ where: { id: contactId }, select: { email: true } });
  return contact?.email ?? null;
}
