import { z } from "zod";
import { isWebUrl } from "../components/index.ts";

// Field rules the transactional templates share. Messages complete a sentence that starts
// with the field's path ("data.renewalDate: must be a date like 2026-05-03"), as the send API
// reports them. Every rule gives back what it accepts unchanged (or trimmed), so data parsed
// once by the API parses again the same way at render time.

const messages = (invalid: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? "is required" : invalid),
});

/** Free text on one line: it may end up in the subject, where a line break would be refused. */
export const oneLine = (max: number, invalid = "must be text") =>
  z
    .string(messages(invalid))
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\r\n]*$/, "must be a single line");

/** Free text that may run over several lines. */
export const paragraphText = (max: number) =>
  z.string(messages("must be text")).trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

/** A link people click: absolute http(s), no spaces (the plain-text part shows it whole). */
export const webLink = z
  .string(messages("must be an http(s) URL such as https://example.com/page"))
  .max(2000, "must be at most 2000 characters")
  .refine(isWebUrl, "must be an http(s) URL such as https://example.com/page");

export const isoDate = z.iso.date(messages("must be a date like 2026-05-03"));

export const isoDateTime = z.iso.datetime({ offset: true, ...messages("must be a date and time like 2026-05-03T14:05:00Z") });

export const emailAddress = z.email(messages("must be an email address like name@example.com")).max(254, "must be at most 254 characters");

export const linkLifetimeMinutes = z
  .int(messages("must be a whole number of minutes"))
  .min(1, "must be at least 1")
  .max(10_080, "must be at most 10080 (7 days)");

export const ipAddress = z.union([z.ipv4(), z.ipv6()], messages("must be an IPv4 or IPv6 address"));

/** The greeting uses it when given; no template needs a name. */
export const recipientName = oneLine(100).optional();
