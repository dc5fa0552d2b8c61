import { describe, expect, it } from "vitest";
import { EmailSchema } from "./email.ts";

describe("EmailSchema", () => {
  it("takes a plain address in its stored form", () => {
    expect(EmailSchema.parse("  Jane.Doe+news@Example.co.uk ")).toBe("jane.doe+news@example.co.uk");
    expect(EmailSchema.parse("josé@exämple.de")).toBe("josé@exämple.de");
  });

  it("refuses spaces, control characters (a NUL cannot even be stored on PostgreSQL) and header syntax", () => {
    for (const bad of ["a b@example.com", "a\u0000b@example.com", "ab@exam\u0000ple.com", "a\u0007@example.com", "a@example.com\u007f", "a\r\nBcc: x@example.com", "<a@example.com>", "a@example"]) {
      expect(EmailSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
