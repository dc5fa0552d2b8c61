// The one rule for promotional mail (docs/invariants.md, invariant 2), as a pure function.
// The audience query in audience.server.ts implements exactly this in SQL; the property test
// in eligibility.property.test.ts holds the two equal on generated data.

import type { Channel } from "./channels.ts";

export type ConsentState = {
  subscriptions: { topicId: number; channel: Channel; status: "SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING"; expiresAt: Date | null }[];
  unitOptOuts: { unitId: number; channel: Channel }[];
  globalOptOuts: { channel: Channel }[];
  snoozes: { unitId: number; until: Date }[];
  /** Suppressions are address-level, so they block the email channel only. */
  suppressions: { reason: "HARD_BOUNCE" | "SOFT_BOUNCE" | "COMPLAINT" | "MANUAL" | "ERASED" }[];
};

export type PromotionalTarget = { unitId: number; topicId: number; channel: Channel };

export type Ineligibility =
  | "NOT_SUBSCRIBED"
  | "CONSENT_EXPIRED"
  | "UNIT_OPT_OUT"
  | "GLOBAL_OPT_OUT"
  | "SNOOZED"
  | "SUPPRESSED";

/** A subscription that counts now: subscribed, and its consent not expired. */
export function isActiveSubscription(s: { status: string; expiresAt: Date | null }, now: Date): boolean {
  return s.status === "SUBSCRIBED" && (!s.expiresAt || s.expiresAt.getTime() > now.getTime());
}

/** Every reason the contact may not receive this promotional message; empty means eligible. */
export function ineligibilityReasons(state: ConsentState, target: PromotionalTarget, now: Date): Ineligibility[] {
  const reasons: Ineligibility[] = [];
  const subscription = state.subscriptions.find(
    (s) => s.topicId === target.topicId && s.channel === target.channel,
  );
  if (!subscription || subscription.status !== "SUBSCRIBED") reasons.push("NOT_SUBSCRIBED");
  else if (subscription.expiresAt && subscription.expiresAt.getTime() <= now.getTime()) reasons.push("CONSENT_EXPIRED");
  if (state.unitOptOuts.some((o) => o.unitId === target.unitId && o.channel === target.channel)) reasons.push("UNIT_OPT_OUT");
  if (state.globalOptOuts.some((o) => o.channel === target.channel)) reasons.push("GLOBAL_OPT_OUT");
  if (state.snoozes.some((s) => s.unitId === target.unitId && s.until.getTime() > now.getTime())) reasons.push("SNOOZED");
  if (target.channel === "EMAIL" && state.suppressions.length > 0) reasons.push("SUPPRESSED");
  return reasons;
}

export function isEligible(state: ConsentState, target: PromotionalTarget, now: Date): boolean {
  return ineligibilityReasons(state, target, now).length === 0;
}
