import { describe, expect, it } from "vitest";
import { overrideOf } from "./overrides.ts";

const none = { EMAIL: false, POSTAL: false, PHONE: false };
const unit = { optedOut: none, pausedUntil: null, frequency: "EVERYTHING" as const };

describe("what overrides a topic on /preferences", () => {
  it("is nothing when only the topic choice decides", () => {
    for (const channel of ["EMAIL", "POSTAL", "PHONE"] as const) expect(overrideOf(unit, none, channel)).toBeNull();
  });

  it("puts the widest first: all brands, then the unit, then a pause, then send me less", () => {
    const everything = { optedOut: { ...none, EMAIL: true }, pausedUntil: "2027-01-01", frequency: "WEEKLY" as const };
    expect(overrideOf(everything, { ...none, EMAIL: true }, "EMAIL")).toEqual({ kind: "everywhere" });
    expect(overrideOf(everything, none, "EMAIL")).toEqual({ kind: "unit" });
    expect(overrideOf({ ...everything, optedOut: none }, none, "EMAIL")).toEqual({ kind: "paused", until: "2027-01-01" });
    expect(overrideOf({ ...unit, frequency: "MONTHLY" }, none, "EMAIL")).toEqual({ kind: "less-often", frequency: "MONTHLY" });
  });

  it("keeps each channel to its own opt-outs; pauses and send me less touch email only", () => {
    const paused = { optedOut: { ...none, POSTAL: true }, pausedUntil: "2027-01-01", frequency: "WEEKLY" as const };
    expect(overrideOf(paused, none, "POSTAL")).toEqual({ kind: "unit" });
    expect(overrideOf(paused, none, "PHONE")).toBeNull();
    expect(overrideOf(unit, { ...none, PHONE: true }, "PHONE")).toEqual({ kind: "everywhere" });
    expect(overrideOf(unit, { ...none, PHONE: true }, "EMAIL")).toBeNull();
  });
});
