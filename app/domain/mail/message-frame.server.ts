import MailComposer from "nodemailer/lib/mail-composer";
import { foldLines } from "nodemailer/lib/mime-funcs";

// A campaign's whole message, as nodemailer would build it, built by nodemailer once per
// campaign with markers where each recipient's fields and parts go. Each copy is then one
// string join, handed to the transport as a raw message: building 200,000 MIME trees (header
// parsing, address normalisation, random boundaries, a dozen small stream writes each) was the
// largest cost of a send after the body encoding (ADR 010).

/** The fields a frame is built from; a message whose own fields differ is refused. */
export type FrameFields = {
  from: { name: string; address: string };
  replyTo?: string;
  subject: string;
  /** Extra header fields in order: a value is the same in every copy (written once, into the frame); null differs per recipient. */
  headers: ReadonlyArray<readonly [name: string, value: string | null]>;
};

/** What differs per recipient. Header values are one line of printable ASCII (checked by composeMessage). */
export type FrameValues = {
  to: string;
  date: Date;
  messageId: string;
  headers: Readonly<Record<string, string>>;
  /** The two MIME parts, headers and encoded body, as fillEncodedPart() makes them. */
  parts: { text: string; html: string };
};

/** Constant text around slots: texts[i], slot i, texts[i + 1], ... */
export type MessageFrame = { readonly fields: FrameFields; readonly texts: readonly string[]; readonly slots: readonly Slot[] };

/** A header field (named as nodemailer writes it) and where its value comes from, or a part. */
type Slot = { field: string; value: (values: FrameValues) => string } | { part: "text" | "html" };

// Printable markers: nodemailer would encode a control character in a header as an encoded-word.
const MARK = "frame-slot-5d1c9e";
const FIXED: Record<string, (values: FrameValues) => string> = {
  to: (values) => values.to,
  date: (values) => values.date.toUTCString().replace(/GMT/, "+0000"),
  "message-id": (values) => values.messageId,
};

// Printable ASCII and spaces: what a header value may carry as it is.
const PLAIN_VALUE = /^[\x20-\x7e]*$/;

/**
 * Extra header fields as nodemailer is to write them: a plain value as it is, folded at 76
 * characters (nodemailer would encode a whole value that holds a quote, List-Id's phrase with
 * its angle brackets too); any other is left to nodemailer's RFC 2047 encoding.
 */
export function nodemailerHeaders(headers: Iterable<readonly [string, string]>): Record<string, string | { prepared: true; foldLines: true; value: string }> {
  const written: Record<string, string | { prepared: true; foldLines: true; value: string }> = {};
  for (const [name, value] of headers) written[name] = PLAIN_VALUE.test(value) ? { prepared: true, foldLines: true, value } : value;
  return written;
}

export async function buildMessageFrame(fields: FrameFields): Promise<MessageFrame> {
  const built = await new MailComposer({
    from: fields.from,
    to: `${MARK}@frame.invalid`,
    replyTo: fields.replyTo,
    subject: fields.subject,
    headers: nodemailerHeaders(fields.headers.map(([name, value]) => [name, value ?? MARK] as const)),
    messageId: `<${MARK}@frame.invalid>`,
    date: new Date(0),
    text: { raw: `${MARK}-text` },
    html: { raw: `${MARK}-html` },
  })
    .compile()
    .build();
  const message = built.toString("utf8");
  const headEnd = message.indexOf("\r\n\r\n");
  const texts: string[] = [""];
  const slots: Slot[] = [];
  const perRecipient = fields.headers.filter(([, value]) => value === null).map(([name]) => name);
  // Header fields are folded lines: a field starts at a line that does not begin with white space.
  for (const field of message.slice(0, headEnd).split(/\r\n(?![ \t])/)) {
    const name = field.slice(0, field.indexOf(":"));
    const key = perRecipient.find((header) => header.toLowerCase() === name.toLowerCase());
    const value = FIXED[name.toLowerCase()] ?? (key === undefined ? undefined : (values: FrameValues) => values.headers[key]);
    if (value === undefined) texts[texts.length - 1] += `${field}\r\n`;
    else {
      slots.push({ field: name, value });
      texts.push("");
    }
  }
  const body = message.slice(headEnd + 4).split(new RegExp(`${MARK}-(text|html)`));
  if (body.length !== 5 || body[1] !== "text" || body[3] !== "html") throw new Error("nodemailer built the frame without its two parts");
  texts[texts.length - 1] += `\r\n${body[0]}`;
  slots.push({ part: "text" }, { part: "html" });
  texts.push(body[2], body[4]);
  return { fields, texts, slots };
}

/** This recipient's message, byte for byte what nodemailer builds from the same fields (message-frame.server.test.ts). */
export function fillMessageFrame(frame: MessageFrame, values: FrameValues): string {
  let message = frame.texts[0];
  frame.slots.forEach((slot, index) => {
    // nodemailer folds every header field at 76 characters, at white space.
    message += ("part" in slot ? values.parts[slot.part] : `${foldLines(`${slot.field}: ${slot.value(values)}`, 76)}\r\n`) + frame.texts[index + 1];
  });
  return message;
}
