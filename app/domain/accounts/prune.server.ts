import { db } from "~/utils/db.server.ts";
import { maskEmail } from "~/domain/consent/email.ts";
import { deleteStaleLockouts } from "./lockout.server.ts";
import { deleteSpentOneTimeLinks } from "./one-time-links.server.ts";

// "Removal of old profiles": accounts nobody has used for a long time are deleted. Only the
// account goes (with its sessions and links): the Contact and its consent state stay, since
// they record what the person agreed to receive, which does not lapse with a login.

export const DEFAULT_INACTIVE_DAYS = 730;
const DAY_MS = 86_400_000;

export type PrunedAccount = { id: number; maskedEmail: string; role: string; lastUsedAt: Date };

export type PruneReport = {
  cutoff: Date;
  accounts: PrunedAccount[];
  /** Admin accounts kept although inactive, so the product is never left without one. */
  keptLastAdmin: PrunedAccount | null;
  spentLinks: number;
  staleLockouts: number;
};

export async function pruneInactiveAccounts(options: { inactiveDays: number; dryRun: boolean; now?: Date }): Promise<PruneReport> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.inactiveDays * DAY_MS);
  const inactiveWhere = { OR: [{ lastSignInAt: { lt: cutoff } }, { lastSignInAt: null, createdAt: { lt: cutoff } }] };
  const inactive = await db.user.findMany({
    where: inactiveWhere,
    orderBy: { id: "asc" },
    select: { id: true, email: true, role: true, lastSignInAt: true, createdAt: true },
  });
  let accounts: PrunedAccount[] = inactive.map((u) => ({ id: u.id, maskedEmail: maskEmail(u.email), role: u.role, lastUsedAt: u.lastSignInAt ?? u.createdAt }));

  let keptLastAdmin: PrunedAccount | null = null;
  const admins = await db.user.count({ where: { role: "ADMIN" } });
  const inactiveAdmins = accounts.filter((a) => a.role === "ADMIN");
  if (inactiveAdmins.length > 0 && inactiveAdmins.length === admins) {
    // Keep the most recently used one.
    keptLastAdmin = inactiveAdmins.reduce((a, b) => (b.lastUsedAt > a.lastUsedAt ? b : a));
    accounts = accounts.filter((a) => a !== keptLastAdmin);
  }

  if (options.dryRun) return { cutoff, accounts, keptLastAdmin, spentLinks: 0, staleLockouts: 0 };
  // Sessions and one-time links cascade; the Contact (User.contactId) is not touched.
  // The inactivity test again: someone who signed in since the list was made stays.
  await db.user.deleteMany({ where: { id: { in: accounts.map((a) => a.id) }, ...inactiveWhere } });
  return { cutoff, accounts, keptLastAdmin, spentLinks: await deleteSpentOneTimeLinks(now), staleLockouts: await deleteStaleLockouts(now) };
}
