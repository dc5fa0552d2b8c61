import { describe, expect, it } from "vitest";
import { DEFAULT_AFTER_SIGN_IN, safeRedirect } from "./safe-redirect.ts";

describe("safeRedirect", () => {
  it.each(["/account", "/preferences?unit=3", "/preferences/history#top"])("keeps the path %s", (target) => {
    expect(safeRedirect(target)).toBe(target);
  });

  it.each([
    ["an absolute URL", "https://evil.example/account"],
    ["a protocol-relative URL", "//evil.example"],
    ["a backslash host", "/\\evil.example"],
    ["a relative path", "account"],
    ["a javascript: URL", "javascript:alert(1)"],
    ["a control character", "/\t/evil.example"],
    ["nothing", null],
    ["an empty string", ""],
  ])("falls back for %s", (_, target) => {
    expect(safeRedirect(target)).toBe(DEFAULT_AFTER_SIGN_IN);
  });

  it("uses the given fallback", () => {
    expect(safeRedirect("//x", "/login")).toBe("/login");
  });
});
