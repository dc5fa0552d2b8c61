// Formatters are built once: `toLocaleString(locale, options)` builds a new Intl.DateTimeFormat on
// every call, which cost the ledger page 5 ms of the server's thread per 50 rows (bench:scale).
const DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const MOMENT = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
const SHORT_DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/** "3 May 2026": dates people read, in UTC so server and browser agree. */
export function formatDay(value: Date | string): string {
  return DAY.format(new Date(value));
}

/** "3 May 2026, 14:02": a moment in the ledger. */
export function formatMoment(value: Date | string): string {
  return MOMENT.format(new Date(value));
}

/** "3 May": a chart's day label, from a UTC day ("2026-05-03"). */
export function formatShortDay(day: string): string {
  return SHORT_DAY.format(new Date(`${day}T00:00:00Z`));
}

// The same dates for a person (issue 20 point 6): in their language and their time zone (null = UTC,
// what the server and browser agree on). Formatters are cached per language, zone and style, for
// the reason above; a zone the runtime does not know falls back to UTC rather than throwing.

/** Whose reading a date is for: the page's language and the person's stored time zone. */
export type Reader = { language: string; timeZone?: string | null };

const LOCALE_OF: Record<string, string> = { en: "en-GB", de: "de-DE" };
const STYLES = {
  day: { day: "numeric", month: "long", year: "numeric" },
  moment: { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;
const readerFormats = new Map<string, Intl.DateTimeFormat>();

function readerFormat(style: keyof typeof STYLES, { language, timeZone }: Reader): Intl.DateTimeFormat {
  const key = `${style}|${language}|${timeZone ?? "UTC"}`;
  let format = readerFormats.get(key);
  if (!format) {
    const locale = LOCALE_OF[language] ?? "en-GB";
    try {
      format = new Intl.DateTimeFormat(locale, { ...STYLES[style], timeZone: timeZone ?? "UTC" });
    } catch {
      format = new Intl.DateTimeFormat(locale, { ...STYLES[style], timeZone: "UTC" });
    }
    readerFormats.set(key, format);
  }
  return format;
}

/** "3 May 2026" / "3. Mai 2026", on the reader's calendar. */
export function formatDayFor(value: Date | string, reader: Reader): string {
  return readerFormat("day", reader).format(new Date(value));
}

/** "3 May 2026, 14:02" / "3. Mai 2026, 14:02", on the reader's clock. */
export function formatMomentFor(value: Date | string, reader: Reader): string {
  return readerFormat("moment", reader).format(new Date(value));
}
