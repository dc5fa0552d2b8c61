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

describe("several topics of the unit", () => {
  const both = { ...target, topicIds: [10, 11] };
  const sub = (topicId: number, status: "SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING" = "SUBSCRIBED", expiresAt: Date | null = null) => ({
    topicId,
    channel: "EMAIL" as const,
    status,
    expiresAt,
  });

  it("a person subscribed to any one of the topics is in; to none of them, out", () => {
    expect(ineligibilityReasons(state({ subscriptions: [sub(11)] }), both, NOW)).toEqual([]);
    expect(ineligibilityReasons(state({ subscriptions: [sub(10), sub(11)] }), both, NOW)).toEqual([]);
    expect(ineligibilityReasons(state({ subscriptions: [sub(12)] }), both, NOW)).toEqual(["NOT_SUBSCRIBED"]);
    // Without topicIds the target is its one topic, as campaigns started before several topics were.
    expect(ineligibilityReasons(state({ subscriptions: [sub(11)] }), target, NOW)).toEqual(["NOT_SUBSCRIBED"]);
  });

  it("an expired consent on one topic does not matter when another counts; expired on all is CONSENT_EXPIRED", () => {
    expect(ineligibilityReasons(state({ subscriptions: [sub(10, "SUBSCRIBED", at(-1)), sub(11)] }), both, NOW)).toEqual([]);
    expect(ineligibilityReasons(state({ subscriptions: [sub(10, "SUBSCRIBED", at(-1)), sub(11, "UNSUBSCRIBED")] }), both, NOW)).toEqual(["CONSENT_EXPIRED"]);
    expect(ineligibilityReasons(state({ subscriptions: [sub(10, "PENDING"), sub(11, "UNSUBSCRIBED")] }), both, NOW)).toEqual(["NOT_SUBSCRIBED"]);
  });

  it("the unit's opt-outs still rule the person out, whichever topic they are on", () => {
    expect(ineligibilityReasons(state({ subscriptions: [sub(11)], unitOptOuts: [{ unitId: 1, channel: "EMAIL" }] }), both, NOW)).toEqual(["UNIT_OPT_OUT"]);
  });
});

describe("leave out people who got an email from the unit in the last N days (ADR 055)", () => {
  const excluding = (days: number) => ({ ...target, excludeRecentDays: days });
  const sentAgo = (ago: number, unitId = 1) => state({ recentSends: [{ unitId, sentAt: at(-ago) }] });

  it("a send of the unit within N days rules the person out; exactly N days ago no longer does", () => {
    expect(ineligibilityReasons(sentAgo(DAY), excluding(3), NOW)).toEqual(["RECENTLY_SENT"]);
    expect(ineligibilityReasons(sentAgo(3 * DAY - 1), excluding(3), NOW)).toEqual(["RECENTLY_SENT"]);
    expect(ineligibilityReasons(sentAgo(3 * DAY), excluding(3), NOW)).toEqual([]);
  });

  it("another unit's send, or no exclusion chosen, leaves the person in", () => {
    expect(ineligibilityReasons(sentAgo(DAY, 2), excluding(3), NOW)).toEqual([]);
    expect(ineligibilityReasons(sentAgo(DAY), target, NOW)).toEqual([]);
    expect(ineligibilityReasons(sentAgo(DAY), { ...target, excludeRecentDays: null }, NOW)).toEqual([]);
  });

  it("it names its own reason beside send me less", () => {
    const both = state({ frequencyChoices: [{ unitId: 1, frequency: "WEEKLY" }], recentSends: [{ unitId: 1, sentAt: at(-DAY) }] });
    expect(ineligibilityReasons(both, excluding(3), NOW)).toEqual(["FREQUENCY_LIMIT", "RECENTLY_SENT"]);
  });
});
