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
