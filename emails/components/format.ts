import type { TFunction } from "i18next";
import type { Language } from "../../app/i18n/languages.ts";

// Dates as people read them ("3 May 2026", "3. Mai 2026") in the message's language. An ISO date
// names a calendar day, not an instant, so it is told as it is; an instant is told in the
// reader's time zone (Contact.timeZone), UTC when we do not know it.

const LOCALES: Record<Language, string> = { en: "en-GB", de: "de-DE" };

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(language: Language, timeZone: string | null): Intl.DateTimeFormat {
  const key = `${language} ${timeZone ?? "UTC"}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[language], { day: "numeric", month: "long", year: "numeric", timeZone: zoneOrUtc(timeZone) });
    dateFormats.set(key, format);
  }
  return format;
}

/** A stored zone we cannot use (renamed, mistyped) falls back to UTC rather than failing the message. */
function zoneOrUtc(timeZone: string | null): string {
  if (!timeZone) return "UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return timeZone;
  } catch {
    return "UTC";
  }
}

/** "2026-05-03" → "3 May 2026" ("3. Mai 2026"). */
export function formatDate(isoDate: string, language: Language = "en"): string {
  const day = isoDate.slice(0, 10);
  const key = `${language}${day}`;
  let formatted = formattedDays.get(key);
  if (formatted === undefined) {
    formatted = dateFormat(language, null).format(new Date(`${day}T00:00:00Z`));
    // A campaign's reasons name few distinct days; Intl formatting each of them once is enough.
    if (formattedDays.size >= 10_000) formattedDays.clear();
    formattedDays.set(key, formatted);
  }
  return formatted;
}
const formattedDays = new Map<string, string>();

/** The calendar day an instant falls on in the reader's zone: "3 May 2026". */
export function formatDayOf(instant: Date, language: Language = "en", timeZone: string | null = null): string {
  // In UTC the day is the ISO date's, and the cache above serves the whole campaign.
  if (!timeZone || timeZone === "UTC") return formatDate(instant.toISOString(), language);
  return dateFormat(language, timeZone).format(instant);
}

const TIME_PATTERNS: Record<Language, (date: string, time: string, zone: string) => string> = {
  en: (date, time, zone) => `${date} at ${time} ${zone}`,
  de: (date, time, zone) => `${date} um ${time} Uhr (${zone})`,
};

/** "2026-05-03T16:05:00+02:00" → "3 May 2026 at 14:05 UTC" ("3. Mai 2026 um 16:05 Uhr (Europe/Berlin)"). */
export function formatDateTime(isoDateTime: string, language: Language = "en", timeZone: string | null = null): string {
  const instant = new Date(isoDateTime);
  const zone = zoneOrUtc(timeZone);
  const time = new Intl.DateTimeFormat(LOCALES[language], { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });
  return TIME_PATTERNS[language](dateFormat(language, zone === "UTC" ? null : zone).format(instant), time.format(instant), zone);
}

/** 15 → "15 minutes", 60 → "1 hour", 90 → "90 minutes", 1440 → "24 hours" (English: staff mail). */
export function formatMinutes(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? "1 hour" : `${minutes / 60} hours`;
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** formatMinutes() in the message's language: "15 Minuten", "1 Stunde". */
export function formatLifetime(minutes: number, t: TFunction): string {
  return minutes % 60 === 0 ? t("emails.hours", { count: minutes / 60 }) : t("emails.minutes", { count: minutes });
}
