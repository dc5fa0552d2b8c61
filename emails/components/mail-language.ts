import { createContext } from "react";
import type { TFunction } from "i18next";
import { tFor } from "../../app/i18n/i18n.ts";
import { DEFAULT_LANGUAGE, type Language } from "../../app/i18n/languages.ts";

// The language a message is written in and the time zone its dates are told in: the recipient's
// (Contact.locale, else English; Contact.timeZone, else UTC), or for a sign-in or sign-up the
// page's that asked for it (ADR 047). Templates read it from the render, so a template cannot
// forget to pass it on.

export type MailLanguage = {
  readonly language: Language;
  /** An IANA zone; null: UTC. */
  readonly timeZone: string | null;
  readonly t: TFunction;
};

export function mailLanguage(language: Language = DEFAULT_LANGUAGE, timeZone: string | null = null): MailLanguage {
  return { language, timeZone, t: tFor(language) };
}

/** Set by the render around the whole message: <html lang>, the words and the dates follow it. */
export const MessageLanguage = createContext<MailLanguage>(mailLanguage());

/**
 * The <html lang> when it is not the language of the product's words: a campaign's body is the
 * marketer's, while its footer is written in each recipient's language. null: MessageLanguage's.
 */
export const HtmlLanguage = createContext<string | null>(null);
