import { db } from "~/utils/db.server.ts";

/**
 * The unit a group-level service message (sign-in, reset, a new preferences link) is sent in
 * the name of: the one the person last dealt with, so the message looks familiar, else the first.
 */
export async function sendingUnitFor(contactId: number | null): Promise<number | null> {
  const lastEvent = contactId
    ? await db.consentEvent.findFirst({ where: { contactId, unitId: { not: null } }, orderBy: { id: "desc" }, select: { unitId: true } })
    : null;
  if (lastEvent?.unitId) return lastEvent.unitId;
  const first = await db.businessUnit.findFirst({ orderBy: { id: "asc" }, select: { id: true } });
  return first?.id ?? null;
}
