// A scheduled send is a wall-clock time in the marketer's time zone ("09:00 in New York"); the
// instant is found with Intl, so a daylight-saving change between now and then is honoured.

const formatters = new Map<string, Intl.DateTimeFormat>();

/** An IANA time zone Intl knows (e.g. "America/New_York", "UTC"), in its own spelling; null otherwise. */
export function knownTimeZone(zone: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return null;
  try {
    return new Intl.DateTimeFormat("en-GB", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

function wallClockFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall-clock time in `zone` at this instant, as if it were UTC (milliseconds since the epoch). */
function wallClockAt(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of wallClockFormatter(zone).formatToParts(new Date(instant))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

const DAY_MS = 86_400_000;

export type WallTimeInstant =
  | { ok: true; at: Date }
  | { ok: false; reason: "malformed" | "skipped" };

/**
 * The instant a `YYYY-MM-DDTHH:MM` wall-clock time happens in `zone`. A time the clocks skip
 * (the hour lost when summer time starts) does not exist: "skipped". A time that happens twice
 * (the hour repeated when it ends) is taken the first time.
 */
export function instantOfWallTime(local: string, zone: string): WallTimeInstant {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return { ok: false, reason: "malformed" };
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Date.UTC rolls 31 February over to March: such a date is not a date.
  const check = new Date(wall);
  if (Number.isNaN(wall) || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) return { ok: false, reason: "malformed" };
  // The zone's offset a day either side covers any one change of offset; each candidate is kept
  // only if it really reads as this wall-clock time in the zone.
  const offsets = new Set([wallClockAt(wall - DAY_MS, zone) - (wall - DAY_MS), wallClockAt(wall + DAY_MS, zone) - (wall + DAY_MS)]);
  const candidates = [...offsets].map((offset) => wall - offset).filter((instant) => wallClockAt(instant, zone) === wall);
  if (candidates.length === 0) return { ok: false, reason: "skipped" };
  return { ok: true, at: new Date(Math.min(...candidates)) };
}

/** "Tuesday 15 January 2030, 09:00": the instant as read on a clock in `zone`. */
export function formatInZone(at: Date, zone: string): string {
  const day = at.toLocaleDateString("en-GB", { timeZone: zone, weekday: "long", day: "numeric", month: "long", year: "numeric" }).replace(",", "");
  const time = at.toLocaleTimeString("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return `${day}, ${time}`;
}

/** The `YYYY-MM-DDTHH:MM` a datetime-local field shows for this instant in `zone`. */
export function wallTimeInZone(at: Date, zone: string): string {
  return new Date(wallClockAt(at.getTime(), zone)).toISOString().slice(0, 16);
}

/** Every zone the server knows, UTC first: the choices of the schedule form. */
export function timeZoneChoices(): string[] {
  const zones = Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC");
  return ["UTC", ...zones];
}

/** A scheduled instant as the marketer reads it: on the clock of the zone they chose, and in UTC. */
export function describeScheduledTime(at: Date, zone: string | null) {
  const chosen = zone && knownTimeZone(zone) ? zone : "UTC";
  return { zone: chosen, local: formatInZone(at, chosen), utc: formatInZone(at, "UTC") };
}
