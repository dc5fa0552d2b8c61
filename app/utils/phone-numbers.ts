import { parsePhoneNumber } from "awesome-phonenumber";

// Phone numbers as the product keeps them: E.164 ("+442079460123"), the one form every dialer
// and telephony system reads, checked against Google's numbering-plan data (libphonenumber,
// via awesome-phonenumber). Normalised where a number comes in, so every list written later
// holds numbers a dialer can call and a spreadsheet does not mistake for a formula (ADR 056).

export type PhoneReading = { ok: true; e164: string } | { ok: false; reason: string };

const EXAMPLE = "+44 20 7946 0958";

/**
 * The number in E.164, or why it cannot be read. The number must carry its country code
 * (+44 … or 0044 …): the product serves several countries and a unit has none of its own, so a
 * national number such as 020 7946 0958 could be any country's and is refused, not guessed.
 */
export function toE164(text: string): PhoneReading {
  const typed = text.trim();
  if (!/^[+0-9 ().\-/]+$/.test(typed)) return { ok: false, reason: `may hold only digits, spaces and + ( ) - . / (for example ${EXAMPLE})` };
  // "00" is the international call prefix in most of the world: the same as a leading +.
  const international = typed.startsWith("00") ? `+${typed.slice(2)}` : typed;
  if (!international.startsWith("+")) return { ok: false, reason: `has no country code: write it in international form, for example ${EXAMPLE}` };
  const parsed = parsePhoneNumber(international);
  if (parsed.valid) return { ok: true, e164: parsed.number.e164 };
  const reason: Record<string, string> = {
    "invalid-country-code": "starts with a country code that does not exist",
    "too-short": "is too short for its country",
    "too-long": "is too long for its country",
  };
  return { ok: false, reason: `${reason[parsed.possibility] ?? "is not a number in use in its country's numbering plan"} (for example ${EXAMPLE})` };
}

/** True for a number this product wrote in E.164: "+" then up to 15 digits, nothing else. */
export function isE164(text: string): boolean {
  return /^\+[1-9][0-9]{6,14}$/.test(text);
}
