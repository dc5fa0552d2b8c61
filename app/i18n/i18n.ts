import i18next, { type i18n as I18n, type TFunction } from "i18next";
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from "./languages.ts";
import { de } from "./messages/de/index.ts";
import { en } from "./messages/en/index.ts";

// One i18next instance holding every language (ADR 047). The texts are small, so both server and
// browser carry them all and nothing loads over the network: a page renders in one pass and hydrates
// with the same words. Each language gets one clone that shares the store, so concurrent requests
// in different languages never switch a shared instance's language under each other.

export const resources = { en: { translation: en }, de: { translation: de } } satisfies Record<Language, unknown>;

const base = i18next.createInstance();
void base.init({
  resources,
  lng: DEFAULT_LANGUAGE,
  supportedLngs: [...LANGUAGES],
  // A key missing in German shows the English text rather than the key; messages.test.ts keeps that from happening.
  fallbackLng: DEFAULT_LANGUAGE,
  // React escapes what it renders, and e-mail templates are React too.
  interpolation: { escapeValue: false },
  initAsync: false,
});

const clones = new Map<Language, I18n>();

/** The instance for one language, for <I18nextProvider>. */
export function i18nFor(language: Language): I18n {
  let clone = clones.get(language);
  if (!clone) {
    clone = base.cloneInstance({ lng: language, initAsync: false });
    clones.set(language, clone);
  }
  return clone;
}

/** t() in one language, for code outside React (e-mail subjects, plain-text parts). */
export function tFor(language: Language): TFunction {
  return base.getFixedT(language);
}
