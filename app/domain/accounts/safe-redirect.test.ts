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

  it.each([
    ["/caf\u00e9", "/caf%C3%A9"],
    ["/\u20ac?q=\u4e2d", "/%E2%82%AC?q=%E4%B8%AD"],
    ["/\u{1F600}", "/%F0%9F%98%80"],
    ["/a b", "/a%20b"],
    ["/already%20encoded?x=%E2%82%AC", "/already%20encoded?x=%E2%82%AC"],
  ])("writes %s as %s, which a Location header can carry", (target, expected) => {
    const location = safeRedirect(target);
    expect(location).toBe(expected);
    expect(() => new Headers({ Location: location })).not.toThrow();
  });

  it("falls back for a lone surrogate, which no URL can carry", () => {
    expect(safeRedirect("/\ud800")).toBe(DEFAULT_AFTER_SIGN_IN);
  });

  it("uses the given fallback", () => {
    expect(safeRedirect("//x", "/login")).toBe("/login");
  });
});
