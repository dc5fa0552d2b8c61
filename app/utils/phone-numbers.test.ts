import { describe, expect, it } from "vitest";
import { isE164, toE164 } from "./phone-numbers.ts";

describe("toE164", () => {
  it("writes a number with its country code in E.164, whatever the separators", () => {
    expect(toE164("+44 20 7946 0123")).toEqual({ ok: true, e164: "+442079460123" });
    expect(toE164(" +1 (415) 555-2671 ")).toEqual({ ok: true, e164: "+14155552671" });
    expect(toE164("0049 30 901820")).toEqual({ ok: true, e164: "+4930901820" });
    expect(toE164("+33.1.23.45.67.89")).toEqual({ ok: true, e164: "+33123456789" });
  });

  it("refuses a number it cannot read, saying why", () => {
    const reason = (text: string) => {
      const reading = toE164(text);
      return reading.ok ? `read as ${reading.e164}` : reading.reason;
    };
    expect(reason("020 7946 0123")).toMatch(/^has no country code/);
    expect(reason("+44 20 79")).toMatch(/^is not a number in use/);
    expect(reason("+44 20 7946 0123 4567 89")).toMatch(/^is too long/);
    expect(reason("+999 1234 5678")).toMatch(/country code that does not exist/);
    expect(reason("=HYPERLINK(\"x\")")).toMatch(/^may hold only digits/);
    expect(reason("+44 20 7946 0123 ext 5")).toMatch(/^may hold only digits/);
  });

  it("isE164 accepts only what toE164 writes", () => {
    expect(isE164("+442079460123")).toBe(true);
    expect(isE164("+44 20 7946 0123")).toBe(false);
    expect(isE164("+1+1")).toBe(false);
    expect(isE164("+0123456789")).toBe(false);
    expect(isE164("442079460123")).toBe(false);
  });
});
