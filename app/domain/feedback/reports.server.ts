/**
 * Reads what comes back by mail — delivery status notifications (RFC 3464), feedback-loop
 * complaints (RFC 5965 ARF), plain-text bounces, auto-replies — into one ReadReport.
 * Pure: no database, no network. Never throws. See docs/decisions/025.
 */
import { simpleParser, type Attachment, type ParsedMail } from "mailparser";
import { type Fields, addressIn, field, messageIdIn, oneLine, readFieldBlocks, readHeaderBlock } from "./reports-fields.ts";
import {
  type Letter,
  autoReplyMarker,
  isFromMailSystem,
  looksLikeBounce,
  readPlainTextBounce,
  splitAtReturnedCopy,
} from "./reports-plain-text.ts";
import { classifyStatus, formatStatus, mostSpecificStatus, parseEnhancedStatus } from "./status-codes.ts";

export { classifyStatus } from "./status-codes.ts";

export type OriginalRefs = { returnPath?: string; messageId?: string; to?: string };

export type ReadReport =
  | { kind: "HARD_BOUNCE" | "SOFT_BOUNCE" | "POLICY_BOUNCE"; recipient?: string; status?: string; diagnostic?: string; original: OriginalRefs }
  | { kind: "COMPLAINT"; recipient?: string; feedbackType: string; original: OriginalRefs }
  | { kind: "DELIVERED"; recipient?: string; original: OriginalRefs }
  | { kind: "IGNORED"; why: string; original: OriginalRefs }
  | { kind: "UNREADABLE"; why: string };

// A header block this long is not a report; the inbound server caps whole messages at 1 MB.
const MAX_HEADER_BYTES = 256 * 1024;
// Reports have a handful of parts; thousands of nested multiparts are an attack on the parser.
const MAX_PARTS = 200;
// A safety net only: the parser has ended on every hostile input tried, but it must never hang the server.
const PARSE_TIME_LIMIT_MS = 10_000;
const HEADER_FIELDS_OF_A_MESSAGE = ["from", "to", "subject", "date", "message-id", "content-type", "return-path", "received"];

const PARSER_OPTIONS = {
  keepDeliveryStatus: true, // the message/delivery-status part as an attachment, not mixed into the text
  ignoreEmbedded: true, // a returned message stays one attachment whose headers we read
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  keepCidLinks: true,
  checksumAlgo: false as const,
  maxHtmlLengthToParse: 200_000,
  maxHeadSize: MAX_HEADER_BYTES,
  maxChildNodes: MAX_PARTS,
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

type Screened = { ok: true; headers: Fields } | { ok: false; why: string };

/** The top-level header block must be header fields in UTF-8 or ASCII, or nothing further is read. */
function screenHeaderBlock(raw: Buffer): Screened {
  if (raw.length === 0) return { ok: false, why: "empty message" };
  const lf = raw.indexOf("\n\n");
  const crlf = raw.indexOf("\n\r\n");
  const ends = [lf, crlf].filter((index) => index >= 0);
  const end = ends.length ? Math.min(...ends) : raw.length;
  if (end > MAX_HEADER_BYTES) return { ok: false, why: `no end of the header block in the first ${MAX_HEADER_BYTES / 1024} KB` };
  const block = raw.subarray(0, end);
  if (block.includes(0)) return { ok: false, why: "NUL bytes in the header block" };
  let text: string;
  try {
    text = utf8.decode(block);
  } catch {
    return { ok: false, why: "8-bit bytes in the header block that are not UTF-8" };
  }
  if (!/^[!-9;-~]+[ \t]*:/.test(text)) return { ok: false, why: "the message does not begin with a header field" };
  const headers = readHeaderBlock(text, MAX_HEADER_BYTES);
  if (!HEADER_FIELDS_OF_A_MESSAGE.some((name) => headers.has(name))) {
    return { ok: false, why: "no header field of a message (From, To, Subject, Date, Content-Type...)" };
  }
  return { ok: true, headers };
}

function parseWithin(raw: Buffer, limitMs: number): Promise<ParsedMail> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`parsing took longer than ${limitMs} ms`)), limitMs);
  });
  return Promise.race([simpleParser(raw, PARSER_OPTIONS), timeout]).finally(() => clearTimeout(timer));
}

const partText = (part: Attachment) => part.content.subarray(0, 64 * 1024).toString("utf8");

function findPart(mail: ParsedMail, types: string[]): Attachment | undefined {
  return mail.attachments.find((part) => types.includes(part.contentType.toLowerCase()));
}

/** Return-Path, Message-ID and To of the returned message or its headers. */
function originalOf(part: Attachment | undefined): { refs: OriginalRefs; headers?: Fields } {
  if (!part) return { refs: {} };
  const headers = readHeaderBlock(partText(part));
  return {
    refs: {
      returnPath: addressIn(field(headers, "return-path")),
      messageId: messageIdIn(field(headers, "message-id")),
      to: addressIn(field(headers, "to")),
    },
    headers,
  };
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** The report names the message it is about: In-Reply-To or References, as Gmail and Microsoft 365 set them. */
function referencedMessageId(headers: Fields): string | undefined {
  return messageIdIn(field(headers, "in-reply-to")) ?? messageIdIn(field(headers, "references"));
}

const ORIGINAL_TYPES = ["message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers"];

function readDeliveryStatus(part: Attachment, mail: ParsedMail, top: Fields): ReadReport {
  const blocks = readFieldBlocks(partText(part));
  const recipients = blocks.filter((block) => block.has("final-recipient") || block.has("action") || block.has("status"));
  const perMessage = blocks[0] && !recipients.includes(blocks[0]) ? blocks[0] : undefined;
  const { refs } = originalOf(findPart(mail, ORIGINAL_TYPES));
  const original = compact({
    returnPath: refs.returnPath ?? addressIn(field(perMessage, "x-postfix-sender")),
    messageId: refs.messageId ?? messageIdIn(field(perMessage, "x-original-message-id")) ?? referencedMessageId(top),
    to: refs.to,
  });
  if (recipients.length === 0) return { kind: "UNREADABLE", why: "a delivery status part with no per-recipient fields" };

  const actionOf = (block: Fields) => {
    const action = field(block, "action")?.toLowerCase().split(/[\s;(]/)[0];
    if (action) return action;
    // Action is required; without it the status class says what happened.
    const klass = parseEnhancedStatus(field(block, "status"))?.klass;
    return klass === 5 ? "failed" : klass === 4 ? "delayed" : klass === 2 ? "delivered" : "failed";
  };
  // Our message has one recipient: the first that failed, else the first delayed, else the first.
  const chosen =
    recipients.find((block) => actionOf(block) === "failed") ??
    recipients.find((block) => actionOf(block) === "delayed") ??
    recipients.find((block) => actionOf(block) === "delivered") ??
    recipients[0];
  const action = actionOf(chosen);
  const recipient = recipientOf(chosen);

  if (action === "delivered") return compact({ kind: "DELIVERED", recipient, original });
  if (action === "relayed" || action === "expanded") {
    return { kind: "IGNORED", why: `a delivery status notification with action ${action}: nothing failed`, original };
  }
  const rawStatus = field(chosen, "status")?.split(/\s/)[0];
  const diagnostic = oneLine(field(chosen, "diagnostic-code"));
  const status = mostSpecificStatus(rawStatus, diagnostic);
  return compact({
    kind: classifyStatus(rawStatus, diagnostic, action),
    recipient,
    status: status ? formatStatus(status) : undefined,
    diagnostic,
    original,
  });
}

/** Original-Recipient is the address we sent to; Final-Recipient may be where it was forwarded. */
function recipientOf(block: Fields): string | undefined {
  const typed = (name: string) => {
    const value = field(block, name);
    if (!value) return undefined;
    const [type, address] = value.includes(";") ? [value.slice(0, value.indexOf(";")), value.slice(value.indexOf(";") + 1)] : ["rfc822", value];
    return /^\s*(?:rfc822|utf-8)\s*$/i.test(type) ? addressIn(address) : undefined;
  };
  return typed("original-recipient") ?? typed("final-recipient");
}

const COMPLAINT_TYPES = new Set(["abuse", "fraud", "virus", "other"]);

function readFeedbackReport(part: Attachment, mail: ParsedMail): ReadReport {
  const report = readFieldBlocks(partText(part))[0];
  const { refs, headers: originalHeaders } = originalOf(findPart(mail, ORIGINAL_TYPES));
  const originalRcptTo = addressIn(field(report, "original-rcpt-to"));
  const original = compact({
    returnPath: refs.returnPath ?? addressIn(field(report, "original-mail-from")),
    messageId: refs.messageId,
    to: refs.to ?? originalRcptTo,
  });
  const feedbackType = field(report, "feedback-type")?.toLowerCase().split(/[\s;]/)[0];
  if (!feedbackType) return { kind: "UNREADABLE", why: "a feedback report with no Feedback-Type" };
  if (!COMPLAINT_TYPES.has(feedbackType)) {
    return { kind: "IGNORED", why: `a feedback report of type ${feedbackType}, not a complaint`, original };
  }
  // Hotmail's feedback loop keeps the recipient in a header of the returned message.
  const recipient = originalRcptTo ?? addressIn(field(originalHeaders, "x-hmxmroriginalrecipient")) ?? refs.to;
  return compact({ kind: "COMPLAINT", recipient, feedbackType, original });
}

function readLetter(mail: ParsedMail, top: Fields): ReadReport {
  const sender = mail.from?.value[0];
  const letter: Letter = { headers: top, from: sender?.address, fromName: sender?.name, subject: mail.subject, text: mail.text ?? "" };
  const { report, copy } = splitAtReturnedCopy(letter.text);
  const attached = originalOf(findPart(mail, ORIGINAL_TYPES)).refs;
  const copied = copy ? readHeaderBlock(copy) : undefined;
  const original = compact({
    returnPath: attached.returnPath ?? addressIn(field(copied, "return-path")),
    messageId: attached.messageId ?? messageIdIn(field(copied, "message-id")) ?? referencedMessageId(top),
    to: attached.to ?? addressIn(field(copied, "to")),
  });

  const strongAutoReply = autoReplyMarker(letter, true);
  if (strongAutoReply && !isFromMailSystem(letter)) return { kind: "IGNORED", why: `an auto-reply (${strongAutoReply})`, original };
  if (looksLikeBounce(letter)) {
    const reading = readPlainTextBounce(letter, report);
    if (reading.kind === "IGNORED") return { ...reading, original };
    return compact({ ...reading, original });
  }
  const autoReply = autoReplyMarker(letter, false);
  if (autoReply) return { kind: "IGNORED", why: `an auto-reply (${autoReply})`, original };
  return { kind: "IGNORED", why: "a letter, not a delivery or feedback report", original };
}

function readParsed(mail: ParsedMail, top: Fields): ReadReport {
  const feedback = findPart(mail, ["message/feedback-report"]);
  if (feedback) return readFeedbackReport(feedback, mail);
  const deliveryStatus = findPart(mail, ["message/delivery-status", "message/global-delivery-status"]);
  if (deliveryStatus) return readDeliveryStatus(deliveryStatus, mail, top);

  const contentType = field(top, "content-type")?.toLowerCase() ?? "text/plain";
  if (contentType.startsWith("multipart/report")) {
    return { kind: "UNREADABLE", why: "a multipart/report whose report part could not be found (missing or wrong boundary)" };
  }
  if (contentType.startsWith("multipart/") && mail.attachments.length === 0 && !mail.text?.trim()) {
    return { kind: "UNREADABLE", why: "a multipart message whose parts could not be found (missing or wrong boundary)" };
  }
  return readLetter(mail, top);
}

export async function readReport(raw: Buffer): Promise<ReadReport> {
  try {
    const screened = screenHeaderBlock(raw);
    if (!screened.ok) return { kind: "UNREADABLE", why: screened.why };
    const mail = await parseWithin(raw, PARSE_TIME_LIMIT_MS);
    return readParsed(mail, screened.headers);
  } catch (error) {
    return { kind: "UNREADABLE", why: `the MIME structure could not be parsed: ${oneLine(String((error as Error)?.message ?? error), 200)}` };
  }
}
