import { z } from "zod";
import { InboundKind, InboundVia } from "~/generated/prisma/enums.ts";

// What /admin/inbound can be asked (unit, kind, dates, page) and the words its pages use for
// kinds and routes. No server code: the page's component reads the labels too.

export const INBOUND_KINDS = Object.values(InboundKind);

export const KIND_LABEL: Record<InboundKind, string> = {
  HARD_BOUNCE: "Hard bounce",
  SOFT_BOUNCE: "Soft bounce",
  POLICY_BOUNCE: "Policy bounce",
  COMPLAINT: "Spam complaint",
  MAILTO_UNSUBSCRIBE: "Unsubscribe by email",
  UNSUBSCRIBE: "Provider unsubscribe",
  DELIVERED: "Delivered",
  UNREADABLE: "Unreadable",
  IGNORED: "Nothing to do",
};

export const VIA_LABEL: Record<InboundVia, string> = {
  SMTP: "Inbound mail",
  SEND_TIME: "Refused while sending",
  SES: "Amazon SES",
  SENDGRID: "SendGrid",
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Midnight UTC of a YYYY-MM-DD day, or null when it is not a day in the calendar. */
export function dayStart(text: string): Date | null {
  if (!DAY.test(text)) return null;
  const date = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? null : date;
}

const Day = z
  .string()
  .trim()
  .regex(DAY, "must be a date like 2026-05-31")
  .refine((text) => dayStart(text) !== null, "is not a date in the calendar");

const InboundQuerySchema = z
  .object({
    unit: z.string().trim().max(64, "must be a unit's short name").optional(),
    kind: z.enum(InboundKind, { error: `must be one of: ${INBOUND_KINDS.join(", ")}` }).optional(),
    from: Day.optional(),
    to: Day.optional(),
    before: z.coerce.number({ error: "must be a page number from this page" }).int().positive("must be a page number from this page").optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ["to"], message: "must not be before the from date" });

export type InboundQuery = z.infer<typeof InboundQuerySchema>;
export type InboundQueryErrors = Partial<Record<keyof InboundQuery, string>>;

const FIELD_LABEL: Record<keyof InboundQuery, string> = { unit: "Unit", kind: "Kind", from: "From", to: "To", before: "Page" };

/** Reads the page's query string; empty fields mean no filter. */
export function parseInboundQuery(fields: Record<string, string>): { ok: true; query: InboundQuery } | { ok: false; errors: InboundQueryErrors } {
  const present = Object.fromEntries(Object.entries(fields).filter(([name, value]) => value !== "" && name in FIELD_LABEL));
  const parsed = InboundQuerySchema.safeParse(present);
  if (parsed.success) return { ok: true, query: parsed.data };
  const errors: InboundQueryErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as keyof InboundQuery;
    errors[field] ??= `${FIELD_LABEL[field]} ${issue.message}.`;
  }
  return { ok: false, errors };
}

/** The receivedAt range of a query's dates: from midnight of `from` to the end of `to` (UTC). */
export function receivedBetween(query: Pick<InboundQuery, "from" | "to">): { gte?: Date; lt?: Date } | undefined {
  if (!query.from && !query.to) return undefined;
  return {
    ...(query.from ? { gte: dayStart(query.from)! } : {}),
    ...(query.to ? { lt: new Date(dayStart(query.to)!.getTime() + DAY_MS) } : {}),
  };
}

/** The query string of a query, with a page, for links. */
export function inboundQueryString(query: InboundQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const name of ["unit", "kind", "from", "to"] as const) if (query[name]) params.set(name, String(query[name]));
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}
