import type { ExemptClass } from "~/generated/prisma/enums.ts";
import type { Db } from "~/utils/db.server.ts";
import { db } from "~/utils/db.server.ts";
import { lockTable } from "~/utils/row-locks.server.ts";

// The exempt categories the product itself sends under, whatever units a company has: links a
// person asked for and staff invitations. They belong to no unit. Every start makes sure they
// exist, so a company that starts from an empty database can sign in and invite from day one.
// Admins also get the guard rails' alerts under one (staff-alert) when sending pauses itself.

export const GROUP_CATEGORIES: { slug: string; name: string; reason: string; legalClass: ExemptClass }[] = [
  {
    slug: "preference-link",
    name: "Preference links",
    reason: "You asked for a link to manage your email preferences.",
    legalClass: "ACCOUNT_CHANGE_OR_STATEMENT",
  },
  {
    slug: "sign-in-link",
    name: "Sign-in links",
    reason: "You asked for a link to sign in to your account.",
    legalClass: "ACCOUNT_CHANGE_OR_STATEMENT",
  },
  {
    slug: "sign-up-confirmation",
    name: "Sign-up confirmations",
    reason: "You signed up for an account, and we must confirm that this address is yours.",
    legalClass: "ACCOUNT_CHANGE_OR_STATEMENT",
  },
  {
    slug: "account-alert",
    name: "Account security alerts",
    reason: "We warn you about sign-ins and changes to your account to keep it safe.",
    legalClass: "WARRANTY_SAFETY_SECURITY",
  },
  {
    slug: "account-security",
    name: "Password resets and address checks",
    reason: "You asked to reset your password or to change your email address, and we must confirm it is you.",
    legalClass: "WARRANTY_SAFETY_SECURITY",
  },
  {
    slug: "staff-invite",
    name: "Staff invitations",
    reason: "An administrator invited you to work in the Preference Center.",
    legalClass: "EMPLOYMENT",
  },
  {
    slug: "staff-alert",
    name: "Alerts for administrators",
    reason: "You are an administrator of the Preference Center, and sending stopped on its own.",
    legalClass: "EMPLOYMENT",
  },
];

/**
 * Creates the group categories that are missing (a unique index cannot do it: unitId is NULL),
 * holding the table's lock so processes starting at once make each once (ADR 039).
 */
export async function ensureGroupCategories(client: Db = db): Promise<void> {
  await client.$transaction(async (tx) => {
    await lockTable(tx, "ExemptCategory");
    const existing = await tx.exemptCategory.findMany({ where: { unitId: null }, select: { slug: true } });
    const have = new Set(existing.map((c) => c.slug));
    for (const category of GROUP_CATEGORIES) {
      if (!have.has(category.slug)) await tx.exemptCategory.create({ data: { ...category, unitId: null } });
    }
  });
}
