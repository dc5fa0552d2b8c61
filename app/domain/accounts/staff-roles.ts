/** The roles of staff accounts (not subscribers). Shared: forms on the pages check them too. */
export const STAFF_ROLES = ["MARKETER", "ADMIN"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
