// The languages the recipient's side speaks (ADR 047). English is the source text; every other
// language carries every key (app/i18n/messages.test.ts fails on a missing or extra one).

export const LANGUAGES = ["en", "de"] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = "en";

/** Each language in its own words, as the switch offers it. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: "English", de: "Deutsch" };

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** The language a stored or requested locale speaks ("de-AT" → "de"), or null for one we do not write. */
export function languageOfLocale(locale: string | null | undefined): Language | null {
  const primary = locale?.trim().toLowerCase().split(/[-_]/)[0];
  return isLanguage(primary) ? primary : null;
}
