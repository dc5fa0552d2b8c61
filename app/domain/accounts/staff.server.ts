import { data } from "@remix-run/node";
import type { Prisma } from "~/generated/prisma/client.ts";
import { db } from "~/utils/db.server.ts";
import { requireUser, type SignedInUser } from "./sessions.server.ts";

// Marketers and admins. A marketer sees only the units they are a member of, and every query
// a marketer page makes carries that scope in its WHERE clause (unitScope / inStaffUnits).

export type Staff = SignedInUser & {
  role: "MARKETER" | "ADMIN";
  /** The units this person may work with; null means every unit (admins). */
  unitIds: number[] | null;
};

/** A 404 for anything a person may not see: it does not say whether the thing exists. */
export function notFound(message = "There is nothing here, or it is not yours to see."): never {
  throw data({ message }, { status: 404, headers: { "Cache-Control": "no-store" } });
}

/** The signed-in marketer or admin; subscribers get a 404, people not signed in go to /login. */
export async function requireStaff(request: Request): Promise<Staff> {
  const user = await requireUser(request);
  if (user.role === "SUBSCRIBER") notFound();
  if (user.role === "ADMIN") return { ...user, role: "ADMIN", unitIds: null };
  const memberships = await db.membership.findMany({ where: { userId: user.id }, select: { unitId: true }, orderBy: { unitId: "asc" } });
  return { ...user, role: "MARKETER", unitIds: memberships.map((m) => m.unitId) };
}

/** The signed-in admin; everyone else gets a 404 (or goes to /login). */
export async function requireAdmin(request: Request): Promise<Staff> {
  const staff = await requireStaff(request);
  if (staff.role !== "ADMIN") notFound();
  return staff;
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
