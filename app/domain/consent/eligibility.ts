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
  /** "Send me less" per unit (ADR 043); no entry means everything. */
  frequencyChoices: { unitId: number; frequency: Frequency }[];
  /**
   * Promotional email sent to the contact (deliveries SENT), by unit: at least those of the last 30
   * days, and of the target's excludeRecentDays when longer.
   */
  recentSends: { unitId: number; sentAt: Date }[];
};

export type Frequency = "WEEKLY" | "MONTHLY";

const DAY_MS = 86_400_000;
/** How long one promotional email of a unit uses up a frequency choice: a rolling window back from now. */
export const FREQUENCY_WINDOW_MS: Record<Frequency, number> = { WEEKLY: 7 * DAY_MS, MONTHLY: 30 * DAY_MS };

/**
 * Who a campaign may reach. `topicId` is its first topic; `topicIds`, when given, every topic (all of
 * the one unit): a person subscribed to any of them is in, once. `excludeRecentDays` leaves out
 * whoever got an email of the unit within that many days (ADR 055). A rule frozen before either
 * existed (audienceRule JSON) has neither and means what it meant.
 */
export type PromotionalTarget = { unitId: number; topicId: number; channel: Channel; topicIds?: number[]; excludeRecentDays?: number | null };

/** The target's topics: every one it names, or its one topic. */
export function targetTopicIds(target: PromotionalTarget): number[] {
  return target.topicIds && target.topicIds.length > 0 ? target.topicIds : [target.topicId];
}

export type Ineligibility =
  | "NOT_SUBSCRIBED"
  | "CONSENT_EXPIRED"
  | "UNIT_OPT_OUT"
  | "GLOBAL_OPT_OUT"
  | "SNOOZED"
  | "SUPPRESSED"
  | "FREQUENCY_LIMIT"
  | "RECENTLY_SENT";

/** A subscription that counts now: subscribed, and its consent not expired. */
export function isActiveSubscription(s: { status: string; expiresAt: Date | null }, now: Date): boolean {
  return s.status === "SUBSCRIBED" && (!s.expiresAt || s.expiresAt.getTime() > now.getTime());
}

/** Every reason the contact may not receive this promotional message; empty means eligible. */
export function ineligibilityReasons(state: ConsentState, target: PromotionalTarget, now: Date): Ineligibility[] {
  const reasons: Ineligibility[] = [];
  const topics = targetTopicIds(target);
  const subscriptions = state.subscriptions.filter((s) => topics.includes(s.topicId) && s.channel === target.channel);
  // One topic that counts is enough; "expired" only when every subscribed topic has expired.
  if (!subscriptions.some((s) => isActiveSubscription(s, now))) {
    reasons.push(subscriptions.some((s) => s.status === "SUBSCRIBED") ? "CONSENT_EXPIRED" : "NOT_SUBSCRIBED");
  }
  if (state.unitOptOuts.some((o) => o.unitId === target.unitId && o.channel === target.channel)) reasons.push("UNIT_OPT_OUT");
  if (state.globalOptOuts.some((o) => o.channel === target.channel)) reasons.push("GLOBAL_OPT_OUT");
  if (state.snoozes.some((s) => s.unitId === target.unitId && s.until.getTime() > now.getTime())) reasons.push("SNOOZED");
  if (target.channel === "EMAIL" && state.suppressions.length > 0) reasons.push("SUPPRESSED");
  if (target.channel === "EMAIL" && frequencyUsedUp(state, target.unitId, now)) reasons.push("FREQUENCY_LIMIT");
  if (target.channel === "EMAIL" && recentlySent(state, target, now)) reasons.push("RECENTLY_SENT");
  return reasons;
}

/** The start of the target's "left out if they got an email of the unit since" window, or null when it has none. */
export function recentlySentSince(target: PromotionalTarget, now: Date): Date | null {
  const days = target.excludeRecentDays;
  return days && days > 0 ? new Date(now.getTime() - days * DAY_MS) : null;
}

/**
 * Whether the target leaves the contact out for a recent email of its unit (ADR 055): any campaign
 * of the unit sent to them after now − N days. Exactly N days ago no longer counts, as for
 * "send me less". Email only, like that choice.
 */
export function recentlySent(state: Pick<ConsentState, "recentSends">, target: PromotionalTarget, now: Date): boolean {
  const since = recentlySentSince(target, now);
  if (!since) return false;
  return state.recentSends.some((s) => s.unitId === target.unitId && s.sentAt.getTime() > since.getTime());
}

/**
 * Whether the contact's "send me less" choice for the unit is used up: an email of any campaign of
 * the unit was sent within the window before now. A send exactly one window ago no longer counts
 * (like a pause ending now). Email only: the choice is about the inbox.
 */
export function frequencyUsedUp(state: Pick<ConsentState, "frequencyChoices" | "recentSends">, unitId: number, now: Date): boolean {
  const choice = state.frequencyChoices.find((c) => c.unitId === unitId);
  if (!choice) return false;
  const since = now.getTime() - FREQUENCY_WINDOW_MS[choice.frequency];
  return state.recentSends.some((s) => s.unitId === unitId && s.sentAt.getTime() > since);
}

export function isEligible(state: ConsentState, target: PromotionalTarget, now: Date): boolean {
  return ineligibilityReasons(state, target, now).length === 0;
}
