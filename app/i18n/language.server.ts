import Negotiator from "negotiator";
import { DEFAULT_LANGUAGE, LANGUAGES, languageOfLocale, type Language } from "./languages.ts";

/**
 * The language to speak to whoever sent this request: one named in the address (`?lang=de`, what
 * the switch does for someone we do not know), else the contact's stored choice, else the browser's
 * Accept-Language, else English.
 */
export function languageOfRequest(request: Request, contactLocale?: string | null): Language {
  const named = languageOfLocale(new URL(request.url).searchParams.get("lang"));
  if (named) return named;
  const stored = languageOfLocale(contactLocale);
  if (stored) return stored;
  const accepted = new Negotiator({ headers: { "accept-language": request.headers.get("accept-language") ?? "" } }).languages([...LANGUAGES]);
  return languageOfLocale(accepted[0]) ?? DEFAULT_LANGUAGE;
}
