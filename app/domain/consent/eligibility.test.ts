import { describe, expect, it } from "vitest";
import { ineligibilityReasons, isActiveSubscription, type ConsentState } from "./eligibility.ts";

// The rule at exactly `now`: a consent expiring now has expired; a pause ending now has ended.

const NOW = new Date("2026-06-01T12:00:00Z");
const at = (ms: number) => new Date(NOW.getTime() + ms);
const target = { unitId: 1, topicId: 10, channel: "EMAIL" as const };

function state(changes: Partial<ConsentState> = {}): ConsentState {
  return {
    subscriptions: [{ topicId: 10, channel: "EMAIL", status: "SUBSCRIBED", expiresAt: null }],
    unitOptOuts: [],
    globalOptOuts: [],
    snoozes: [],
    suppressions: [],
    frequencyChoices: [],
    recentSends: [],
    ...changes,
  };
}
const expiringAt = (expiresAt: Date) => state({ subscriptions: [{ topicId: 10, channel: "EMAIL", status: "SUBSCRIBED", expiresAt }] });
const pausedUntil = (until: Date) => state({ snoozes: [{ unitId: 1, until }] });

describe("eligibility at the boundary", () => {
  it("a consent expiring exactly now has expired; a millisecond later it still counts", () => {
    expect(ineligibilityReasons(expiringAt(at(-1)), target, NOW)).toEqual(["CONSENT_EXPIRED"]);
    expect(ineligibilityReasons(expiringAt(at(0)), target, NOW)).toEqual(["CONSENT_EXPIRED"]);
    expect(ineligibilityReasons(expiringAt(at(1)), target, NOW)).toEqual([]);
    expect(isActiveSubscription({ status: "SUBSCRIBED", expiresAt: at(0) }, NOW)).toBe(false);
    expect(isActiveSubscription({ status: "SUBSCRIBED", expiresAt: at(1) }, NOW)).toBe(true);
  });

  it("a pause ending exactly now has ended; one ending a millisecond later still holds", () => {
    expect(ineligibilityReasons(pausedUntil(at(-1)), target, NOW)).toEqual([]);
    expect(ineligibilityReasons(pausedUntil(at(0)), target, NOW)).toEqual([]);
    expect(ineligibilityReasons(pausedUntil(at(1)), target, NOW)).toEqual(["SNOOZED"]);
  });
});

const DAY = 86_400_000;
/** Someone who chose the frequency for unit 1 and was last sent one of its campaigns `ago` ms before now. */
const limited = (frequency: "WEEKLY" | "MONTHLY", ago: number, unitId = 1) =>
  state({ frequencyChoices: [{ unitId: 1, frequency }], recentSends: [{ unitId, sentAt: at(-ago) }] });

describe("send me less (ADR 043)", () => {
  it("a weekly choice is used up for 7 days after the unit's last send; exactly 7 days later it is free again", () => {
    expect(ineligibilityReasons(limited("WEEKLY", 2 * DAY), target, NOW)).toEqual(["FREQUENCY_LIMIT"]);
    expect(ineligibilityReasons(limited("WEEKLY", 7 * DAY - 1), target, NOW)).toEqual(["FREQUENCY_LIMIT"]);
    expect(ineligibilityReasons(limited("WEEKLY", 7 * DAY), target, NOW)).toEqual([]);
  });

  it("a monthly choice is used up for 30 days", () => {
    expect(ineligibilityReasons(limited("MONTHLY", 8 * DAY), target, NOW)).toEqual(["FREQUENCY_LIMIT"]);
    expect(ineligibilityReasons(limited("MONTHLY", 30 * DAY - 1), target, NOW)).toEqual(["FREQUENCY_LIMIT"]);
    expect(ineligibilityReasons(limited("MONTHLY", 30 * DAY), target, NOW)).toEqual([]);
  });

  it("only the unit's own sends use it up, and only on email", () => {
    expect(ineligibilityReasons(limited("WEEKLY", DAY, 2), target, NOW)).toEqual([]);
    expect(ineligibilityReasons(limited("WEEKLY", DAY), { ...target, channel: "POSTAL" }, NOW)).toEqual(["NOT_SUBSCRIBED"]);
    // Without a choice, recent sends limit nothing.
    expect(ineligibilityReasons(state({ recentSends: [{ unitId: 1, sentAt: at(-DAY) }] }), target, NOW)).toEqual([]);
  });
});
