// The dashboard's date range: two calendar days (UTC), both included, read from the query string
// so the filter is a plain GET form. Bad input is a message for a 400, never an exception.

const DAY_MS = 86_400_000;
/** With no range asked for, the dashboard shows this many days up to today. */
export const DEFAULT_DAYS = 90;
/** A longer range would ask for more campaigns than a chart can tell apart. */
export const MAX_DAYS = 3 * 366;

export type ResultsPeriod = { from: string; to: string };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const utcDay = (date: Date) => date.toISOString().slice(0, 10);
const isDay = (value: string) => DAY.test(value) && utcDay(new Date(`${value}T00:00:00Z`)) === value;

export function defaultPeriod(now: Date): ResultsPeriod {
  return { from: utcDay(new Date(now.getTime() - (DEFAULT_DAYS - 1) * DAY_MS)), to: utcDay(now) };
}

/** The range asked for by ?from=YYYY-MM-DD&to=YYYY-MM-DD (either may be left out), or what is wrong with it. */
export function parsePeriod(params: URLSearchParams, now: Date): { ok: true; period: ResultsPeriod } | { ok: false; error: string } {
  const fallback = defaultPeriod(now);
  const from = params.get("from")?.trim() || fallback.from;
  const to = params.get("to")?.trim() || fallback.to;
  if (!isDay(from)) return { ok: false, error: `"From" must be a date such as 2026-01-31, not "${from.slice(0, 40)}".` };
  if (!isDay(to)) return { ok: false, error: `"To" must be a date such as 2026-01-31, not "${to.slice(0, 40)}".` };
  if (from > to) return { ok: false, error: `"From" (${from}) is after "To" (${to}).` };
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS + 1 > MAX_DAYS) return { ok: false, error: `A range may span at most ${MAX_DAYS} days.` };
  return { ok: true, period: { from, to } };
}

/** The range as instants: from the first day's midnight up to (not including) the midnight after the last day. */
export function periodBounds(period: ResultsPeriod): { gte: Date; lt: Date } {
  return { gte: new Date(`${period.from}T00:00:00Z`), lt: new Date(Date.parse(`${period.to}T00:00:00Z`) + DAY_MS) };
}
