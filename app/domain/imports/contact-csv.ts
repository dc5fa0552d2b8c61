// The contact import file: its columns, the rules one row must meet, and how long implied
// consent lasts. Pure, with no server imports, so the import page can show the same words.

import type { Channel, ConsentBasis } from "~/generated/prisma/enums.ts";
import type { ImportSkipReason } from "~/domain/consent/import-batch.server.ts";
import { EmailSchema } from "~/domain/consent/email.ts";
import { CHANNEL_LABEL, offeredChannels } from "~/domain/consent/channels.ts";
// Type only: the numbering-plan data (~800 KB) must stay out of the import page's browser bundle,
// which reads this module's constants; the server passes toE164 in.
import type { PhoneReading } from "~/utils/phone-numbers.ts";

export const REQUIRED_COLUMNS = ["email", "name", "topic", "channel", "basis", "consented_at", "source"] as const;
/** May follow the required columns, in either order: where postal and phone marketing reach the person. */
export const OPTIONAL_COLUMNS = ["postal_address", "phone"] as const;
export const HEADER = REQUIRED_COLUMNS.join(",");

export type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];
/** Column name → its index in each row. */
export type ColumnMap = Partial<Record<Column, number>> & Record<(typeof REQUIRED_COLUMNS)[number], number>;

export const CHANNELS: Record<string, Channel> = { email: "EMAIL", postal: "POSTAL", phone: "PHONE" };
export const BASES: Record<string, ConsentBasis> = {
  express: "EXPRESS",
  implied_purchase: "IMPLIED_PURCHASE",
  implied_inquiry: "IMPLIED_INQUIRY",
  soft_opt_in: "SOFT_OPT_IN",
  legitimate_interest: "LEGITIMATE_INTEREST",
};

/**
 * How long consent on each basis lasts, in months from the consent date; null never expires.
 * CASL: implied consent from a purchase or contract lasts two years, from an inquiry six
 * months. PECR's soft opt-in rests on a sale too but sets no period: we give it the purchase's
 * two years, so a customer who has gone quiet drops off instead of staying on lists for ever.
 * Express consent and legitimate interest last until the person opts out.
 */
export const CONSENT_MONTHS: Record<ConsentBasis, number | null> = {
  EXPRESS: null,
  IMPLIED_PURCHASE: 24,
  IMPLIED_INQUIRY: 6,
  SOFT_OPT_IN: 24,
  LEGITIMATE_INTEREST: null,
};

/** When consent given at `consentedAt` on `basis` expires, or null. Month ends clamp: 31 Aug + 6 months = 28/29 Feb. */
export function consentExpiry(basis: ConsentBasis, consentedAt: Date): Date | null {
  const months = CONSENT_MONTHS[basis];
  if (months === null) return null;
  const expiry = new Date(consentedAt.getTime());
  const day = expiry.getUTCDate();
  expiry.setUTCDate(1);
  expiry.setUTCMonth(expiry.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(expiry.getUTCFullYear(), expiry.getUTCMonth() + 1, 0)).getUTCDate();
  expiry.setUTCDate(Math.min(day, lastDay));
  return expiry;
}

/** Why a file cannot be imported at all (empty, wrong header, broken CSV): nothing was written. */
export class ImportFileError extends Error {
  name = "ImportFileError";
}

// A value as the marketer typed it, between quotes that cannot be part of it, so "Zoë" or a
// stray " reads as it stands in their spreadsheet (JSON.stringify showed \" and \u00eb).
const quoted = (text: string, max = 120) => `“${text.length > max ? `${text.slice(0, max)}…` : text}”`;

/** The column positions the file's first line gives, or an ImportFileError saying what the header must be. */
export function readHeader(fields: string[]): ColumnMap {
  const names = fields.map((f) => f.trim());
  const required = names.slice(0, REQUIRED_COLUMNS.length);
  const extra = names.slice(REQUIRED_COLUMNS.length);
  const extrasKnown = extra.every((name) => (OPTIONAL_COLUMNS as readonly string[]).includes(name)) && new Set(extra).size === extra.length;
  if (required.join(",") !== HEADER || !extrasKnown) {
    throw new ImportFileError(
      `The first line must be the header ${HEADER} (optionally followed by postal_address and/or phone); this file's first line is ${quoted(names.join(","))}.`,
    );
  }
  const map = Object.fromEntries(names.map((name, index) => [name, index])) as ColumnMap;
  return map;
}

/** One row that passed every check: ready for the consent core. */
export type ContactRow = {
  email: string;
  name: string | null;
  topicId: number;
  channel: Channel;
  basis: ConsentBasis;
  consentedAt: Date;
  expiresAt: Date | null;
  source: string;
  postalAddress: string | null;
  phone: string | null;
};

export type ImportTopic = { id: number; slug: string; name: string; archivedAt: Date | null; offersEmail: boolean; offersPostal: boolean; offersPhone: boolean };

export type RowCheck = { ok: true; row: ContactRow } | { ok: false; reason: string };

const NAME_MAX = 200;
const SOURCE_MAX = 200;
const POSTAL_MAX = 500;

/** Checks one data row against the header, the unit's topics and the time now; every problem is named. */
export function checkRow(
  fields: string[],
  columns: ColumnMap,
  topics: Map<string, ImportTopic>,
  unitName: string,
  now: Date,
  readPhone: (text: string) => PhoneReading,
): RowCheck {
  const width = Object.keys(columns).length;
  if (fields.length !== width) {
    return { ok: false, reason: `has ${fields.length} field${fields.length === 1 ? "" : "s"} where the header has ${width} (a value containing a comma needs "double quotes")` };
  }
  const value = (column: Column) => (columns[column] === undefined ? "" : fields[columns[column]!].trim());
  const problems: string[] = [];

  const email = EmailSchema.safeParse(value("email"));
  if (!email.success) problems.push(`email ${quoted(value("email"))}: ${email.error.issues[0].message.toLowerCase()}`);

  const name = value("name");
  if (name.length > NAME_MAX) problems.push(`name is longer than ${NAME_MAX} characters`);

  const channelText = value("channel").toLowerCase();
  const channel = CHANNELS[channelText];
  if (!channel) problems.push(`channel must be email, postal or phone (got ${quoted(value("channel"))})`);

  const topicSlug = value("topic");
  const topic = topics.get(topicSlug);
  if (!topicSlug) problems.push("topic is empty");
  else if (!topic) problems.push(`topic ${quoted(topicSlug)} is not a topic of ${unitName}`);
  else if (topic.archivedAt) problems.push(`topic ${quoted(topicSlug)} is archived and takes no new subscriptions`);
  else if (channel && !offeredChannels(topic).includes(channel)) {
    const offered = offeredChannels(topic).map((c) => CHANNEL_LABEL[c].toLowerCase());
    problems.push(`topic ${quoted(topicSlug)} is not offered by ${channelText} (only ${offered.join(", ")})`);
  }

  const basis = BASES[value("basis").toLowerCase()];
  if (!basis) problems.push(`basis must be one of ${Object.keys(BASES).join(", ")} (got ${quoted(value("basis"))})`);

  const consentedAt = parseIsoMoment(value("consented_at"));
  if (!consentedAt) {
    problems.push(`consented_at must be an ISO 8601 date or time such as 2024-03-01 or 2024-03-01T09:30:00Z (got ${quoted(value("consented_at"))})`);
  } else if (consentedAt.getTime() > now.getTime()) {
    problems.push(`consented_at ${value("consented_at")} is in the future`);
  }

  const source = value("source");
  if (!source) problems.push("source is empty: say where the consent was collected, e.g. \"checkout 2024\"");
  else if (source.length > SOURCE_MAX) problems.push(`source is longer than ${SOURCE_MAX} characters`);

  const postalAddress = value("postal_address");
  if (postalAddress.length > POSTAL_MAX) problems.push(`postal_address is longer than ${POSTAL_MAX} characters`);
  // Kept in E.164 whatever the file's spelling, so the phone list holds numbers a dialer reads (ADR 056).
  const phoneText = value("phone");
  const phoneReading = phoneText ? readPhone(phoneText) : null;
  if (phoneReading && !phoneReading.ok) problems.push(`phone ${quoted(phoneText)} ${phoneReading.reason}`);
  const phone = phoneReading?.ok ? phoneReading.e164 : "";

  if (problems.length > 0 || !email.success || !topic || !channel || !basis || !consentedAt) return { ok: false, reason: problems.join("; ") };
  return {
    ok: true,
    row: {
      email: email.data,
      name: name || null,
      topicId: topic.id,
      channel,
      basis,
      consentedAt,
      expiresAt: consentExpiry(basis, consentedAt),
      source,
      postalAddress: postalAddress || null,
      phone: phone || null,
    },
  };
}

const ISO_MOMENT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * An ISO 8601 calendar date or date-time, or null. A date alone is midnight UTC, and so is a
 * time without an offset: exports from other systems often drop it, and UTC is the one reading
 * that does not depend on where the import runs. Impossible dates (30 February) are refused.
 */
export function parseIsoMoment(text: string): Date | null {
  const match = ISO_MOMENT.exec(text);
  if (!match) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", offset = "Z"] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.padEnd(3, "0").slice(0, 3)));
  if (new Date(utc).getUTCDate() !== day) return null;
  let offsetMinutes = 0;
  if (offset.toUpperCase() !== "Z") {
    const digits = offset.slice(1).replace(":", "");
    const [oh, om] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || "0")];
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (offset[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(utc - offsetMinutes * 60_000);
}

/** The template offered on the import page: the header and one example row per basis of note. */
export const TEMPLATE_CSV = [
  `${HEADER},postal_address,phone`,
  `ann@example.com,Ann Example,newsletter,email,express,2024-03-01,newsletter form 2024,,`,
  `ben@example.com,Ben Example,catalogue,postal,implied_purchase,2024-03-01T09:30:00Z,checkout 2024,"1 High Street, Springfield",`,
  `cat@example.com,,offers,phone,soft_opt_in,2024-03-01,trade fair stand,,+44 20 7946 0958`,
].join("\r\n") + "\r\n";

export const SKIP_REASON_LABEL: Record<ImportSkipReason, string> = {
  ERASED: "address erased at the person's request",
  SUPPRESSED: "address suppressed (bounce, complaint or manual block)",
  GLOBAL_OPT_OUT: "opted out of every unit on this channel",
  UNIT_OPT_OUT: "opted out of this unit on this channel",
  UNSUBSCRIBED: "unsubscribed from this topic on this channel",
  CONSENT_EXPIRED: "implied consent already expired",
};

/** All skipped rows of an import report. */
export function skippedTotal(report: { skipped: Record<string, number> }): number {
  return Object.values(report.skipped).reduce((sum, n) => sum + n, 0);
}
