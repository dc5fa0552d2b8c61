import type { Prisma } from "~/generated/prisma/client.ts";
import { db } from "~/utils/db.server.ts";
import type { SignedInUser } from "./sessions.server.ts";

// Marketers and admins. A marketer sees only the units they are a member of, and every query
// a marketer page makes carries that scope in its WHERE clause (unitScope / inStaffUnits).
// The guards that turn "not staff" into a 404 are the routes' (app/utils/permissions.server.ts).

export type Staff = SignedInUser & {
  role: "MARKETER" | "ADMIN";
  /** The units this person may work with; null means every unit (admins). */
  unitIds: number[] | null;
};

/** The signed-in person as staff, with the units they may work with; null for a subscriber. */
export async function staffOf(user: SignedInUser): Promise<Staff | null> {
  if (user.role === "SUBSCRIBER") return null;
  if (user.role === "ADMIN") return { ...user, role: "ADMIN", unitIds: null };
  const memberships = await db.membership.findMany({ where: { userId: user.id }, select: { unitId: true }, orderBy: { unitId: "asc" } });
  return { ...user, role: "MARKETER", unitIds: memberships.map((m) => m.unitId) };
}

/** WHERE for BusinessUnit rows this person may see. */
export function unitScope(staff: Staff): Prisma.BusinessUnitWhereInput {
  return staff.unitIds === null ? {} : { id: { in: staff.unitIds } };
}

/** WHERE fragment for rows with a unitId (campaigns, topics …) this person may see. */
export function inStaffUnits(staff: Staff): { unitId?: { in: number[] } } {
  return staff.unitIds === null ? {} : { unitId: { in: staff.unitIds } };
}

/** The units this person may work with, for pickers. */
export function staffUnits(staff: Staff) {
  return db.businessUnit.findMany({ where: unitScope(staff), orderBy: { displayName: "asc" }, select: { id: true, slug: true, displayName: true } });
}
