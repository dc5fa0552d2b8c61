// What the ledger search takes, as the page's query string, the CSV link and the CLI give it.
// Pure (no server imports): the page uses the same names and labels.

import { z } from "zod";
import { ConsentAction, ConsentSource } from "~/generated/prisma/enums.ts";
import { EmailSchema } from "~/domain/consent/email.ts";

export const SOURCES = Object.values(ConsentSource);
export const ACTIONS = Object.values(ConsentAction);

export const SOURCE_LABEL: Record<ConsentSource, string> = {
  ONE_CLICK: "One-click (mail app)",
  LINK_PAGE: "Unsubscribe page",
  PREFERENCE_CENTER: "Preference center",
  IMPORT: "Import",
  ADMIN: "Admin",
  API: "API",
  BOUNCE: "Bounce",
  COMPLAINT: "Complaint",
  EXPIRY: "Expiry",
  MAILTO: "Unsubscribe by email (mailto)",
  PROVIDER: "Mail provider event",
};

export const ACTION_LABEL: Record<ConsentAction, string> = {
  SUBSCRIBE: "Subscribe",
  UNSUBSCRIBE: "Unsubscribe",
  UNIT_OPT_OUT: "Unit opt-out",
  UNIT_OPT_IN: "Unit opt-in",
  GLOBAL_OPT_OUT: "Global opt-out",
  GLOBAL_OPT_IN: "Global opt-in",
  SNOOZE: "Pause",
  SNOOZE_END: "Pause ended",
  SHARING_GRANT: "Sharing granted",
  SHARING_WITHDRAW: "Sharing withdrawn",
  SUPPRESS: "Suppress",
  UNSUPPRESS: "Unsuppress",
  EXPORT: "Export (access)",
  FREQUENCY_SET: "Frequency set (send me less)",
};

/**
 * What the chart counts (with changed = true: a repeat is not a new opt-in). A pause (SNOOZE)
 * is not an opt-out: it ends by itself and the person stays subscribed (ADR 013).
 */
export const OPT_IN_ACTIONS = ["SUBSCRIBE", "UNIT_OPT_IN", "GLOBAL_OPT_IN"] as const satisfies readonly ConsentAction[];
export const OPT_OUT_ACTIONS = ["UNSUBSCRIBE", "UNIT_OPT_OUT", "GLOBAL_OPT_OUT"] as const satisfies readonly ConsentAction[];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const Day = z
  .string()
  .regex(DAY, "must be a date like 2026-05-31")
  .refine((text) => dayStart(text) !== null, "is not a date in the calendar");
const Id = (what: string) =>
  z.coerce
    .number({ error: `must be ${what}` })
    .int(`must be ${what}`)
    .positive(`must be ${what}`)
    .max(2 ** 31 - 1, `must be ${what}`);

/** Fewest characters of an address the ledger searches for: fewer would match most contacts. */
export const ADDRESS_PART_MIN = 3;

/**
 * A whole address (normalised as stored) or a part of one, lower-cased ("jane@", "@example.com"),
 * as the suppressions search takes it. Which one it is decides the search (ledger.server.ts).
 */
const AddressSearch = z
  .string()
  .trim()
  .max(254, "is too long")
  .transform((text, ctx) => {
    const whole = EmailSchema.safeParse(text);
    if (whole.success) return whole.data;
    if (text.length < ADDRESS_PART_MIN) {
      ctx.addIssue({ code: "custom", message: `Type at least ${ADDRESS_PART_MIN} characters of the address.` });
      return z.NEVER;
    }
    return text.toLowerCase();
  });

/** True when the search names one whole address rather than a part of many. */
export const isWholeAddress = (email: string) => EmailSchema.safeParse(email).success;

export const LedgerQuerySchema = z
  .object({
    email: AddressSearch.optional(),
    unit: z.string().max(100, "is too long").optional(),
    topic: Id("a topic id").optional(),
    source: z.enum(ConsentSource, { error: "is not a source of the ledger" }).optional(),
    action: z.enum(ConsentAction, { error: "is not an action of the ledger" }).optional(),
    campaign: Id("a campaign number").optional(),
    from: Day.optional(),
    to: Day.optional(),
    before: Id("an event id").optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ["to"], message: "must not be before the from date" });

export type LedgerQuery = z.infer<typeof LedgerQuerySchema>;
export type LedgerQueryErrors = Partial<Record<keyof LedgerQuery | "form", string>>;

export const FIELD_NAME: Record<keyof LedgerQuery, string> = {
  email: "Address",
  unit: "Unit",
  topic: "Topic",
  source: "Source",
  action: "Action",
  campaign: "Campaign",
  from: "From",
  to: "To",
  before: "Page",
};

/** Parses query-string fields; empty fields count as not given. Errors are whole sentences, by field. */
export function parseLedgerQuery(fields: Record<string, string>): { ok: true; query: LedgerQuery } | { ok: false; errors: LedgerQueryErrors } {
  const given = Object.fromEntries(Object.entries(fields).filter(([key, value]) => key in FIELD_NAME && value.trim() !== ""));
  const parsed = LedgerQuerySchema.safeParse(given);
  if (parsed.success) return { ok: true, query: parsed.data };
  const errors: LedgerQueryErrors = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "form") as keyof LedgerQueryErrors;
    // Sentences: "From must be a date like 2026-05-31." or the message as it stands ("Enter a valid email address …").
    const sentence = /^[A-Z]/.test(issue.message) ? issue.message : `${field === "form" ? "The search" : FIELD_NAME[field]} ${issue.message}`;
    errors[field] ??= sentence.endsWith(".") ? sentence : `${sentence}.`;
  }
  return { ok: false, errors };
}

/** The query as a query string (no page cursor unless given), for links and the CSV form. */
export function ledgerQueryString(query: LedgerQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const key of ["email", "unit", "topic", "source", "action", "campaign", "from", "to"] as const) {
    const value = query[key];
    if (value !== undefined) params.set(key, String(value));
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Midnight UTC of a YYYY-MM-DD day, or null if there is no such day. */
export function dayStart(text: string): Date | null {
  if (!DAY.test(text)) return null;
  const date = new Date(`${text}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? null : date;
}

export const DAY_MS = 86_400_000;

/** createdAt bounds of a from/to pair: from midnight of `from` to the end of the `to` day (inclusive), UTC. */
export function dayRange(from?: string, to?: string): { gte?: Date; lt?: Date } {
  return {
    ...(from ? { gte: dayStart(from)! } : {}),
    ...(to ? { lt: new Date(dayStart(to)!.getTime() + DAY_MS) } : {}),
  };
}

export const CHART_DEFAULT_DAYS = 30;
export const CHART_MAX_DAYS = 366;

/** The chart's days: the query's from/to, else the last 30 days to today (UTC). */
export function chartPeriod(query: Pick<LedgerQuery, "from" | "to">, now: Date): { from: string; to: string; days: number } {
  const today = now.toISOString().slice(0, 10);
  const to = query.to ?? (query.from && query.from > today ? query.from : today);
  const from = query.from ?? new Date(dayStart(to)!.getTime() - (CHART_DEFAULT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
  const days = Math.round((dayStart(to)!.getTime() - dayStart(from)!.getTime()) / DAY_MS) + 1;
  return { from, to, days };
}
