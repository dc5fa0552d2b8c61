import { DEFAULT_LANGUAGE, isLanguage, type Language } from "./languages.ts";

/** The page's language in a meta function: the deepest matched route's `language`, as root.tsx picks it. */
export function metaLanguage(matches: readonly { data?: unknown }[]): Language {
  for (let i = matches.length - 1; i >= 0; i--) {
    const language = (matches[i].data as { language?: unknown } | undefined)?.language;
    if (isLanguage(language)) return language;
  }
  return DEFAULT_LANGUAGE;
}
