import { describe, expect, it } from "vitest";
import { formatInZone, instantOfWallTime, knownTimeZone, wallTimeInZone } from "./schedule-time.ts";

const instant = (local: string, zone: string) => {
  const result = instantOfWallTime(local, zone);
  return result.ok ? result.at.toISOString() : result.reason;
};

describe("a wall-clock time in a time zone", () => {
  it("09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer", () => {
    expect(instant("2030-01-15T09:00", "America/New_York")).toBe("2030-01-15T14:00:00.000Z");
    expect(instant("2030-07-15T09:00", "America/New_York")).toBe("2030-07-15T13:00:00.000Z");
  });

  it("honours the offset on the day itself, not the offset of today", () => {
    // Summer time starts in New York on 10 March 2030 at 02:00 and ends on 3 November at 02:00.
    expect(instant("2030-03-09T09:00", "America/New_York")).toBe("2030-03-09T14:00:00.000Z");
    expect(instant("2030-03-10T09:00", "America/New_York")).toBe("2030-03-10T13:00:00.000Z");
    expect(instant("2030-11-02T09:00", "America/New_York")).toBe("2030-11-02T13:00:00.000Z");
    expect(instant("2030-11-03T09:00", "America/New_York")).toBe("2030-11-03T14:00:00.000Z");
    expect(instant("2030-03-31T09:00", "Europe/Paris")).toBe("2030-03-31T07:00:00.000Z");
    expect(instant("2030-06-01T09:00", "Asia/Kolkata")).toBe("2030-06-01T03:30:00.000Z");
    expect(instant("2030-06-01T09:00", "UTC")).toBe("2030-06-01T09:00:00.000Z");
  });

  it("a time the clocks skip does not exist; a time that happens twice is taken the first time", () => {
    expect(instant("2030-03-10T02:30", "America/New_York")).toBe("skipped");
    expect(instant("2030-11-03T01:30", "America/New_York")).toBe("2030-11-03T05:30:00.000Z");
    expect(instant("2030-11-03T02:30", "America/New_York")).toBe("2030-11-03T07:30:00.000Z");
  });

  it("refuses what is not a date and time", () => {
    for (const local of ["", "2030-02-31T09:00", "2030-01-15T24:00", "2030-01-15T09:60", "2030-01-15 09:00", "2030-01-15T09:00:00", "tomorrow"]) {
      expect(instant(local, "UTC"), local).toBe("malformed");
    }
  });

  it("knows IANA zones by their own spelling and nothing else", () => {
    expect(knownTimeZone("America/New_York")).toBe("America/New_York");
    expect(knownTimeZone("UTC")).toBe("UTC");
    for (const zone of ["", "Mars/Olympus_Mons", "toString", "../etc", "a".repeat(70)]) expect(knownTimeZone(zone), zone).toBeNull();
  });

  it("reads an instant back on the zone's clock", () => {
    const at = new Date("2030-01-15T14:00:00Z");
    expect(formatInZone(at, "America/New_York")).toBe("Tuesday 15 January 2030, 09:00");
    expect(formatInZone(at, "UTC")).toBe("Tuesday 15 January 2030, 14:00");
    expect(wallTimeInZone(at, "America/New_York")).toBe("2030-01-15T09:00");
  });
});
