import { describe, expect, it } from "vitest";
import { formatDay, formatDayFor, formatMoment, formatMomentFor } from "./format.ts";

// Dates a person reads: in their language and on their clock, and the old UTC forms unchanged.

describe("dates for a reader", () => {
  // 23:30 UTC on 31 December is already New Year's Day in Berlin.
  const lateNight = new Date("2026-12-31T23:30:00Z");

  it("keeps the existing English UTC forms", () => {
    expect(formatDay(lateNight)).toBe("31 December 2026");
    expect(formatMoment(lateNight)).toBe("31 Dec 2026, 23:30");
  });

  it("writes the day in the reader's language and time zone", () => {
    expect(formatDayFor(lateNight, { language: "en" })).toBe("31 December 2026");
    expect(formatDayFor(lateNight, { language: "de", timeZone: null })).toBe("31. Dezember 2026");
    expect(formatDayFor(lateNight, { language: "de", timeZone: "Europe/Berlin" })).toBe("1. Januar 2027");
    expect(formatMomentFor(lateNight, { language: "en", timeZone: "America/New_York" })).toBe("31 Dec 2026, 18:30");
    expect(formatMomentFor(lateNight, { language: "de", timeZone: "Europe/Berlin" })).toBe("1. Jan. 2027, 00:30");
  });

  it("falls back to UTC for a zone it does not know, rather than failing the page", () => {
    expect(formatDayFor(lateNight, { language: "de", timeZone: "Mars/Olympus_Mons" })).toBe("31. Dezember 2026");
  });
});
