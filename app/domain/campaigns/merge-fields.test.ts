import { describe, expect, it } from "vitest";
import { mergeFieldProblems, parseMergeFields, renderMergeFields } from "./merge-fields.ts";

const anna = { name: "Anna Berg", unit: "Example Tax" };
const nameless = { name: null, unit: "Example Tax" };

describe("merge fields", () => {
  it("fills in the name, the first name and the unit", () => {
    expect(renderMergeFields("Hi {{first_name}}, {{name}} of {{unit}}", anna)).toBe("Hi Anna, Anna Berg of Example Tax");
  });

  it("takes spaces inside the braces", () => {
    expect(renderMergeFields("Hi {{ first_name | there }}!", anna)).toBe("Hi Anna!");
    expect(renderMergeFields("Hi {{ first_name | there }}!", nameless)).toBe("Hi there!");
  });

  it("uses the fallback when the person has no name, and leaves no double space without one", () => {
    expect(renderMergeFields("Hi {{first_name|there}}, welcome", nameless)).toBe("Hi there, welcome");
    expect(renderMergeFields("Hi {{first_name}}, welcome", nameless)).toBe("Hi, welcome");
    expect(renderMergeFields("Good news {{name}} from us", { name: "   ", unit: "U" })).toBe("Good news from us");
  });

  it("keeps a name on one line: line breaks and control characters cannot add a header", () => {
    const text = renderMergeFields("Hello {{name}}", { name: "Eve\r\nBcc: victim@example.com\u0000", unit: "U" });
    expect(text).toBe("Hello Eve Bcc: victim@example.com");
    expect(text).not.toMatch(/[\r\n\u0000]/);
  });

  it("returns the value unescaped: the message escapes it for the part it goes into", () => {
    expect(renderMergeFields("{{name}}", { name: "<script>alert(1)</script>", unit: "U" })).toBe("<script>alert(1)</script>");
  });

  it("names an unknown field, an empty one and an unclosed one", () => {
    expect(mergeFieldProblems("Hi {{firstname}}")).toEqual([expect.stringContaining("{{firstname}}")]);
    expect(mergeFieldProblems("Hi {{}}")).toEqual([expect.stringContaining("empty")]);
    expect(mergeFieldProblems("Hi {{first_name")).toEqual([expect.stringContaining("not closed")]);
    expect(mergeFieldProblems("Hi {{first\nname}}")).toEqual([expect.stringContaining("not closed")]);
    expect(mergeFieldProblems("Hi first_name}}")).toEqual([expect.stringContaining("closes no merge field")]);
    expect(() => renderMergeFields("{{email}}", anna)).toThrow(/no merge field/);
  });

  it("finds no problem in text without fields, or with single braces", () => {
    expect(mergeFieldProblems("Save {50%} on {{unit|us}} plans")).toEqual([]);
    expect(parseMergeFields("plain").template).toEqual(["plain"]);
  });
});
