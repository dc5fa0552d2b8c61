// A unit's seed list: up to ten addresses (colleagues, a rendering-check inbox) a campaign's
// test copies go to, kept by the unit's marketers and admins (ADR 054). Not contacts: a test
// send names no contact, creates no delivery and touches no consent.

import { db } from "~/utils/db.server.ts";
import { lockRows } from "~/utils/row-locks.server.ts";
import { unitScope, type Staff } from "~/domain/accounts/staff.server.ts";
import { nothingFound } from "~/domain/not-found.ts";
import { EmailSchema } from "~/domain/consent/email.ts";
import { CampaignError } from "./campaigns.server.ts";
import { SEED_LIST_LIMIT } from "./seed-list.ts";

export { SEED_LIST_LIMIT };

/** The unit, if this person works for it; otherwise NotFoundError. */
async function staffUnit(staff: Staff, unitId: number) {
  const unit = await db.businessUnit.findFirst({ where: { AND: [{ id: unitId }, unitScope(staff)] }, select: { id: true, displayName: true } });
  return unit ?? nothingFound(`Unit ${unitId}`);
}

/** The unit's seed addresses, alphabetically. */
export async function listSeedAddresses(staff: Staff, unitId: number) {
  await staffUnit(staff, unitId);
  return db.seedAddress.findMany({ where: { unitId }, orderBy: { email: "asc" }, select: { id: true, email: true } });
}

/** Adds an address (normalised as contacts' are); the eleventh is refused. Throws CampaignError on the `email` field. */
export async function addSeedAddress(staff: Staff, unitId: number, input: string) {
  const unit = await staffUnit(staff, unitId);
  const parsed = EmailSchema.safeParse(input);
  if (!parsed.success) throw new CampaignError(parsed.error.issues[0].message, "email");
  const email = parsed.data;
  return db.$transaction(async (tx) => {
    // The count and the insert decide together (ADR 039): two marketers adding the tenth at once get one in.
    await lockRows(tx, "BusinessUnit", [unit.id]);
    const addresses = await tx.seedAddress.findMany({ where: { unitId: unit.id }, select: { email: true } });
    if (addresses.some((address) => address.email === email)) throw new CampaignError(`${email} is already on the seed list.`, "email");
    if (addresses.length >= SEED_LIST_LIMIT) {
      throw new CampaignError(`The seed list of ${unit.displayName} is full: it holds ${SEED_LIST_LIMIT} addresses. Remove one to add another.`, "email");
    }
    return tx.seedAddress.create({ data: { unitId: unit.id, email }, select: { id: true, email: true } });
  });
}

/** Removes an address from the unit's list; one already gone is no error. */
export async function removeSeedAddress(staff: Staff, unitId: number, id: number) {
  await staffUnit(staff, unitId);
  await db.seedAddress.deleteMany({ where: { id, unitId } });
}
