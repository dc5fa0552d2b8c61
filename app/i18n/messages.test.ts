import { describe, expect, it } from "vitest";
import { LANGUAGES } from "./languages.ts";
import { resources } from "./i18n.ts";

// Every language says everything English says, with the same placeholders: a key missing in one
// language would show English in the middle of a German page, and a lost {{date}} would drop a fact.

/** key path → text, for every string in a nested messages object. */
function flatten(messages: object, prefix = ""): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  for (const [key, value] of Object.entries(messages)) {
    if (value !== null && typeof value === "object") for (const entry of flatten(value, `${prefix}${key}.`)) flat.set(...entry);
    else flat.set(`${prefix}${key}`, value);
  }
  return flat;
}

const placeholders = (text: unknown) => [...String(text).matchAll(/\{\{\s*([\w.]+)[^}]*\}\}|<(\w+)>/g)].map((m) => m[1] ?? `<${m[2]}>`).sort();

const english = flatten(resources.en.translation);

describe.each(LANGUAGES.filter((language) => language !== "en"))("messages in %s", (language) => {
  const translated = flatten(resources[language].translation);

  it("has every English key, and no key English lacks", () => {
    expect([...english.keys()].filter((key) => !translated.has(key)), "missing").toEqual([]);
    expect([...translated.keys()].filter((key) => !english.has(key)), "extra").toEqual([]);
  });

  it("gives every key a text of its own, with the same placeholders and tags as English", () => {
    for (const [key, text] of translated) {
      expect(typeof text === "string" && text.trim() !== "", `${key} is empty`).toBe(true);
      expect(placeholders(text), key).toEqual(placeholders(english.get(key)));
    }
  });
});
