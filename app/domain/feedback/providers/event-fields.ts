// Reading the loosely typed fields of a provider's event: only well-formed values are kept.

/** A Message-ID with its angle brackets, or undefined when the value is not one. */
export function messageIdOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^<[^<>\s@]+@[^<>\s@]+>$/.test(text)) return text;
  if (/^[^<>\s@]+@[^<>\s@]+$/.test(text)) return `<${text}>`;
  return undefined;
}

/** An enhanced status code ("5.1.1"), or undefined. */
export function enhancedStatus(value: unknown): string | undefined {
  return typeof value === "string" && /^[245]\.\d{1,3}\.\d{1,3}$/.test(value.trim()) ? value.trim() : undefined;
}

const LONGEST_DIAGNOSTIC = 500;

/** A provider's text as one line of at most 500 characters, or undefined. */
export function diagnosticLine(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const line = value.replace(/\s+/g, " ").trim();
  return line ? line.slice(0, LONGEST_DIAGNOSTIC) : undefined;
}

/** A time from milliseconds or an ISO text, or undefined when it is not a real date. */
export function timeOf(value: unknown): Date | undefined {
  if (typeof value !== "number" && typeof value !== "string") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
