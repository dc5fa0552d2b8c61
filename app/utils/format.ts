/** "3 May 2026": dates people read, in UTC so server and browser agree. */
export function formatDay(value: Date | string): string {
  return new Date(value).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/** "3 May 2026, 14:02": a moment in the ledger. */
export function formatMoment(value: Date | string): string {
  return new Date(value).toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "UTC",
  });
}
