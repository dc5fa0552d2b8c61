import crypto from "node:crypto";
import type { SendMailOptions } from "nodemailer";
import { fillMessageFrame, nodemailerHeaders, type FrameFields, type MessageFrame } from "./message-frame.server.ts";

/** Promotional mail obeys consent and must offer one-click unsubscribe; transactional mail must not offer it. */
export type MailStream = "promotional" | "transactional";

export type OutgoingMail = {
  stream: MailStream;
  from: { name: string; address: string };
  /** One bare address: every message has exactly one recipient. */
  to: string;
  /**
   * The envelope sender (SMTP MAIL FROM, the Return-Path the final server writes): where bounces
   * go. One signed address per delivery (VERP) names the delivery a bounce is about; the From
   * address when absent.
   */
  returnPath?: string;
  replyTo?: string;
  subject: string;
  /** Both parts are required and must not be blank. */
  html: string;
  text: string;
  /** Extra header fields such as List-Unsubscribe; the structural ones (From, Subject, ...) are refused. */
  headers?: Record<string, string>;
  /** The Message-ID is <messageIdLocalPart@messageIdDomain>, normally on the unit's sending domain. */
  messageIdDomain: string;
  /** Random when absent. A resend of the same delivery keeps its Message-ID, so mailboxes can drop the copy. */
  messageIdLocalPart?: string;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  /**
   * The two parts already MIME-encoded (headers and body), made from the same text as `text`
   * and `html` (see quoted-printable.server.ts): sent as they are, not encoded again.
   */
  encodedParts?: { text: string; html: string };
  /**
   * The campaign's message frame, built from these same From, Reply-To, Subject and headers
   * (message-frame.server.ts): with encodedParts, the message is sent as the filled frame.
   */
  frame?: MessageFrame;
};

export type SentMail = {
  /** With angle brackets, exactly as in the Message-ID header. */
  messageId: string;
};

export interface MailTransport {
  readonly name: "outbox" | "smtp";
  /** Resolves only once the message was handed over (file written, SMTP server accepted it). */
  send(mail: OutgoingMail): Promise<SentMail>;
  /** Proves the transport can deliver (outbox writable, SMTP server answering): a start-up check. */
  verify(): Promise<void>;
  close(): Promise<void>;
}

/** The message itself is wrong (a bug in the caller): sending it again will never work. */
export class InvalidMailError extends Error {
  name = "InvalidMailError";
}

/** The transport could not be built from its configuration. */
export class MailConfigError extends Error {
  name = "MailConfigError";
}

/** The SMTP server's answer when it refused a message: what a bounce for it would say. */
export type SmtpRefusal = {
  /** The basic reply code, e.g. 550. */
  code: number;
  /** The whole reply line, e.g. "550 5.1.1 No such mailbox". */
  response: string;
  /** The command it answered: "RCPT TO" (the recipient), "DATA" (the message), "MAIL FROM" (our sender), ... */
  command: string;
};

/** The transport failed to hand the message over. */
export class MailDeliveryError extends Error {
  name = "MailDeliveryError";
  /** True when the server refused the message for good (SMTP 5xx): retrying will not help. */
  readonly permanent: boolean;
  /** The server's answer, when a server answered with a refusal (not a timeout or a broken connection). */
  readonly refusal?: SmtpRefusal;

  constructor(message: string, options: { cause?: unknown; permanent?: boolean; refusal?: SmtpRefusal } = {}) {
    super(message, { cause: options.cause });
    this.permanent = options.permanent ?? false;
    if (options.refusal) this.refusal = options.refusal;
  }
}

// Deliberately plain (same rule as EmailSchema): one @, no spaces, brackets or separators.
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i;
// RFC 5322 field-name: printable ASCII except the colon.
const FIELD_NAME = /^[!-9;-~]+$/;
const LINE_BREAK = /[\r\n]/;
/** Printable ASCII, no spaces: what a header value can carry unencoded. */
export const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
// Fields the message is built from: a second copy would be ambiguous or an injection.
const STRUCTURAL_FIELDS = new Set(
  ["from", "sender", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
    "content-type", "content-transfer-encoding", "dkim-signature", "return-path"],
);
const ONE_CLICK = "List-Unsubscribe=One-Click";
const DKIM_SELECTOR = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/i;
// nodemailer's default list plus List-Unsubscribe-Post, which RFC 8058 requires the signature
// to cover (nodemailer's list has List-Unsubscribe only), and Feedback-ID, which Gmail counts
// only when signed. Fields absent from a message are skipped.
const DKIM_SIGNED_FIELDS =
  "From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:" +
  "Content-ID:Content-Description:Resent-Date:Resent-From:Resent-Sender:Resent-To:Resent-Cc:Resent-Message-ID:" +
  "In-Reply-To:References:List-Id:List-Help:List-Unsubscribe:List-Unsubscribe-Post:List-Subscribe:List-Post:" +
  "List-Owner:List-Archive:Feedback-ID";

const MESSAGE_ID_LOCAL_PART = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** One plain address, as composeMessage accepts for From, To and Reply-To. */
export const isPlainEmailAddress = (value: string) => ADDRESS.test(value);
/** A domain name, as composeMessage accepts for the Message-ID and DKIM. */
export const isDomainName = (value: string) => DOMAIN.test(value);
export const isDkimSelector = (value: string) => DKIM_SELECTOR.test(value);

// Parsing a 2048-bit key costs about half a millisecond, and a campaign sends every message
// with the same one: each key's answer is kept.
const keyTypes = new Map<string, string | undefined | null>();

/** The key's type ("rsa" is the one nodemailer signs with), or null when it is not a PEM private key. */
export function dkimKeyType(pem: string): string | undefined | null {
  if (!keyTypes.has(pem)) {
    let type: string | undefined | null;
    try {
      type = crypto.createPrivateKey(pem).asymmetricKeyType;
    } catch {
      type = null;
    }
    if (keyTypes.size >= 100) keyTypes.clear();
    keyTypes.set(pem, type);
  }
  return keyTypes.get(pem);
}

/** Validates a message and turns it into nodemailer's options; throws InvalidMailError on the first problem. */
export function composeMessage(mail: OutgoingMail): SendMailOptions {
  const fail = (problem: string): never => {
    throw new InvalidMailError(`Refusing to send mail: ${problem}`);
  };
  if (mail.stream !== "promotional" && mail.stream !== "transactional") fail(`unknown stream "${String(mail.stream)}"`);
  if (!ADDRESS.test(mail.from.address)) fail(`From address "${mail.from.address}" is not a plain email address`);
  if (LINE_BREAK.test(mail.from.name)) fail("the From name contains a line break");
  if (!ADDRESS.test(mail.to)) fail("the recipient is not one plain email address");
  if (mail.replyTo !== undefined && !ADDRESS.test(mail.replyTo)) fail(`Reply-To "${mail.replyTo}" is not a plain email address`);
  // MAIL FROM carries no encoding: a non-ASCII envelope sender would need SMTPUTF8 from every server on the way.
  if (mail.returnPath !== undefined && !(ADDRESS.test(mail.returnPath) && PRINTABLE_ASCII.test(mail.returnPath))) {
    fail(`the return path "${mail.returnPath}" is not a plain ASCII email address`);
  }
  if (LINE_BREAK.test(mail.subject)) fail("the subject contains a line break (header injection)");
  if (mail.subject.trim() === "") fail("the subject is empty");
  if (mail.html.trim() === "") fail("the HTML part is empty");
  if (mail.text.trim() === "") fail("the plain-text part is empty");
  if (!DOMAIN.test(mail.messageIdDomain)) fail(`"${mail.messageIdDomain}" is not a domain for the Message-ID`);
  if (mail.messageIdLocalPart !== undefined && !MESSAGE_ID_LOCAL_PART.test(mail.messageIdLocalPart)) fail("the Message-ID's local part is not a dot-atom");

  const headers = mail.headers ?? {};
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (!FIELD_NAME.test(name)) fail(`"${name}" is not a valid header name`);
    if (STRUCTURAL_FIELDS.has(key)) fail(`the ${name} header is set from the message fields, not from headers`);
    if (seen.has(key)) fail(`the ${name} header is given twice`);
    if (LINE_BREAK.test(value)) fail(`the ${name} header contains a line break (header injection)`);
    seen.add(key);
  }
  const header = (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const listUnsubscribe = header("list-unsubscribe");
  const listUnsubscribePost = header("list-unsubscribe-post");
  if (mail.stream === "promotional") {
    // Last line of defence for invariant 8 and RFC 8058 one-click unsubscribe.
    if (!listUnsubscribe || !/<https?:\/\/[^>\s]+>/.test(listUnsubscribe)) fail("promotional mail needs a List-Unsubscribe header with an <http(s)://...> link");
    if (listUnsubscribePost !== ONE_CLICK) fail(`promotional mail needs "List-Unsubscribe-Post: ${ONE_CLICK}"`);
  } else if (listUnsubscribe !== undefined || listUnsubscribePost !== undefined) {
    fail("transactional mail cannot be unsubscribed from, so it carries no List-Unsubscribe headers");
  }

  if (mail.dkim) {
    if (!DOMAIN.test(mail.dkim.domainName)) fail(`"${mail.dkim.domainName}" is not a DKIM domain`);
    if (!DKIM_SELECTOR.test(mail.dkim.keySelector)) fail(`"${mail.dkim.keySelector}" is not a DKIM selector`);
    // nodemailer sends a message unsigned when the key does not parse, or is not RSA (it signs
    // rsa-sha256 only), so check it here.
    const keyType = dkimKeyType(mail.dkim.privateKey);
    if (keyType === null) fail(`the DKIM private key for ${mail.dkim.domainName} is not a valid PEM private key`);
    if (keyType !== "rsa") fail(`the DKIM private key for ${mail.dkim.domainName} is ${String(keyType)}, but nodemailer signs with RSA keys only`);
  }

  const messageId = `<${mail.messageIdLocalPart ?? crypto.randomUUID()}@${mail.messageIdDomain}>`;
  const dkim = mail.dkim && { ...mail.dkim, headerFieldNames: DKIM_SIGNED_FIELDS };
  const envelope = { from: mail.returnPath ?? mail.from.address, to: [mail.to] };
  // nodemailer rewrites a non-ASCII address (punycode, SMTPUTF8); the frame writes it as it is.
  if (mail.frame && mail.encodedParts && PRINTABLE_ASCII.test(mail.to)) {
    const { fields } = mail.frame;
    if (
      fields.from.name !== mail.from.name ||
      fields.from.address !== mail.from.address ||
      fields.replyTo !== mail.replyTo ||
      fields.subject !== mail.subject ||
      !sameHeaders(fields.headers, headers)
    ) {
      fail("the message frame was built for another From, Reply-To, Subject or other headers");
    }
    const raw = fillMessageFrame(mail.frame, { to: mail.to, date: new Date(), messageId, headers, parts: mail.encodedParts });
    return { envelope, raw, messageId, dkim };
  }

  return {
    envelope,
    from: { name: mail.from.name, address: mail.from.address },
    to: mail.to,
    replyTo: mail.replyTo,
    subject: mail.subject,
    text: mail.encodedParts ? { raw: mail.encodedParts.text } : mail.text,
    html: mail.encodedParts ? { raw: mail.encodedParts.html } : mail.html,
    headers: nodemailerHeaders(Object.entries(headers)),
    messageId,
    dkim,
  };
}

/** True when the message's headers are the frame's: the same names in the same order, and the frame's fixed values. */
function sameHeaders(frameHeaders: FrameFields["headers"], headers: Record<string, string>): boolean {
  const names = Object.keys(headers);
  if (names.length !== frameHeaders.length) return false;
  return frameHeaders.every(([name, value], index) => names[index] === name && (value === null || headers[name] === value));
}

/** Describes a nodemailer failure in one line: the reason, and the error code when it adds something. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
