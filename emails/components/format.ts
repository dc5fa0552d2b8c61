// Dates as people read them ("3 May 2026"), in UTC: we do not know the reader's time zone,
// and an ISO date names a calendar day, not an instant.

const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const TIME = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });

/** "2026-05-03" → "3 May 2026". */
export function formatDate(isoDate: string): string {
  const day = isoDate.slice(0, 10);
  let formatted = formattedDays.get(day);
  if (formatted === undefined) {
    formatted = DATE.format(new Date(`${day}T00:00:00Z`));
    // A campaign's reasons name few distinct days; Intl formatting each of them once is enough.
    if (formattedDays.size >= 10_000) formattedDays.clear();
    formattedDays.set(day, formatted);
  }
  return formatted;
}
const formattedDays = new Map<string, string>();

/** "2026-05-03T16:05:00+02:00" → "3 May 2026 at 14:05 UTC". */
export function formatDateTime(isoDateTime: string): string {
  const instant = new Date(isoDateTime);
  return `${DATE.format(instant)} at ${TIME.format(instant)} UTC`;
}

/** 15 → "15 minutes", 60 → "1 hour", 90 → "90 minutes", 1440 → "24 hours". */
export function formatMinutes(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? "1 hour" : `${minutes / 60} hours`;
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}
