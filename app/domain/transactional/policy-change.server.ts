import { db } from "~/utils/db.server.ts";
import { POLICY_NOTICE_DAYS, sendTransactional, TransactionalRequestError } from "./send.server.ts";

const DAY_MS = 86_400_000;
const BATCH = 200;

export type PolicyAnnouncement = {
  unitIds: number[];
  effectiveAt: Date;
  policyName: string;
  summary: string;
  policyUrl: string;
  onProgress?: (done: number, total: number) => void;
  /** The announcement's moment: every notice is checked against it, so a long run is not refused halfway. */
  now?: Date;
};

/**
 * Everyone a unit has a relationship with, read without touching preference state
 * (docs/invariants.md, invariant 3): every subscription, opt-out or pause left a ledger event naming the unit, and
 * service mail or campaigns the unit sent count too.
 */
function relationshipWhere(unitId: number) {
  return {
    OR: [
      { consentEvents: { some: { unitId } } },
      { transactionalMessages: { some: { unitId } } },
      { deliveries: { some: { campaign: { unitId } } } },
    ],
  };
}

/**
 * Sets each unit's policy-change effective date and sends the notice to every contact of the
 * unit, whatever their marketing preferences. Re-running sends nothing twice (idempotency keys).
 */
export async function announcePolicyChange(announcement: PolicyAnnouncement) {
  const { unitIds, effectiveAt } = announcement;
  const now = announcement.now ?? new Date();
  if (effectiveAt.getTime() - now.getTime() < POLICY_NOTICE_DAYS * DAY_MS) {
    throw new TransactionalRequestError(
      "effective",
      `A policy change must be announced at least ${POLICY_NOTICE_DAYS} days before it takes effect; choose a date after ${new Date(now.getTime() + POLICY_NOTICE_DAYS * DAY_MS).toISOString().slice(0, 10)}.`,
    );
  }
  const day = effectiveAt.toISOString().slice(0, 10);
  // Every unit must have the category before any of them is changed.
  const categories = await db.exemptCategory.findMany({ where: { unitId: { in: unitIds }, slug: "policy-change", archivedAt: null }, select: { id: true, unitId: true } });
  const missing = unitIds.filter((unitId) => !categories.some((c) => c.unitId === unitId));
  if (missing.length > 0) throw new TransactionalRequestError("unit", `Unit ${missing.join(", ")} has no "policy-change" category.`, 404);
  await db.exemptCategory.updateMany({ where: { id: { in: categories.map((c) => c.id) } }, data: { effectiveAt } });
  const totals = await Promise.all(unitIds.map((unitId) => db.contact.count({ where: relationshipWhere(unitId) })));
  const total = totals.reduce((a, b) => a + b, 0);
  const outcome = { sent: 0, refused: 0, failed: 0, alreadySent: 0 };
  let done = 0;
  for (const unitId of unitIds) {
    for (let after = 0; ; ) {
      const contacts = await db.contact.findMany({
        where: { id: { gt: after }, ...relationshipWhere(unitId) },
        orderBy: { id: "asc" },
        take: BATCH,
        select: { id: true, email: true, name: true },
      });
      if (contacts.length === 0) break;
      after = contacts[contacts.length - 1].id;
      for (const contact of contacts) {
        const result = await sendTransactional({
          unitId,
          category: "policy-change",
          to: contact.email,
          template: "policy-change-notice",
          data: {
            recipientName: contact.name ?? undefined,
            policyName: announcement.policyName,
            summary: announcement.summary,
            effectiveDate: day,
            policyUrl: announcement.policyUrl,
          },
          idempotencyKey: `policy-change:${unitId}:${day}:${contact.id}`,
          now,
        });
        if (result.repeated) outcome.alreadySent++;
        else if (result.status === "REFUSED") outcome.refused++;
        else if (result.status === "FAILED") outcome.failed++;
        else outcome.sent++;
        announcement.onProgress?.(++done, total);
      }
    }
  }
  return { total, ...outcome };
}
