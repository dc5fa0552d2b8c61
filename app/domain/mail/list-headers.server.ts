import { encodeWord } from "nodemailer/lib/mime-funcs";

// The header fields mailbox providers read to tell our mail streams apart: List-Id (RFC 2919),
// naming the list a promotional message belongs to (a unit's topic), and Gmail's Feedback-ID,
// the identifiers its feedback loop reports complaint rates by. Both are signed (DKIM), so
// nobody else's mail can claim them.

/** Gmail's mandatory last Feedback-ID field: the same on every message we send, 5 to 15 characters. */
export const FEEDBACK_SENDER_ID = "prefcenter";

// RFC 2919: the list-id (between the angle brackets) is at most 255 octets.
const LIST_ID_MAX_LENGTH = 255;
// The phrase as a quoted-string needs no encoding when it is printable ASCII and spaces.
const PLAIN_PHRASE = /^[\x20-\x7e]*$/;

/**
 * `"Offers from Acme Garden" <offers.acme-garden.list-id.mail.acme.example>`: the topic and the
 * unit as dot-atom labels under a name of the sending domain (the owner's namespace, RFC 2919
 * section 2), and the phrase a person reads, encoded (RFC 2047) when it is not ASCII. A list-id
 * that would pass 255 octets falls back to the unmanaged "localhost" namespace.
 */
export function listIdHeader(list: { name: string; labels: string[]; domain: string }): string {
  const label = list.labels.map(dotAtomLabel).join(".");
  const managed = `${label}.list-id.${list.domain.toLowerCase()}`;
  const id = managed.length <= LIST_ID_MAX_LENGTH ? managed : `${label}.localhost`.slice(-LIST_ID_MAX_LENGTH);
  const name = list.name.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  if (!name) return `<${id}>`;
  // Encoded words stand unquoted in a phrase (RFC 2047 section 5 (3)); Q keeps the ASCII readable.
  const phrase = PLAIN_PHRASE.test(name) ? `"${name.replace(/["\\]/g, "\\$&")}"` : encodeWord(name, "Q", 52);
  return `${phrase} <${id}>`;
}

/** One label of a dot-atom: lower case, letters, digits and hyphens; never empty. */
function dotAtomLabel(value: string): string {
  const label = value.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return label || "x";
}

/**
 * `c12:t3:acme-garden:prefcenter`: up to three identifiers and FEEDBACK_SENDER_ID. Gmail reports
 * each field on its own and asks that no value repeat across fields, so the callers prefix theirs
 * (c for a campaign, t for a topic, ...). Anything but letters, digits, dots, hyphens and
 * underscores becomes a hyphen: a colon would shift the fields.
 */
export function feedbackIdHeader(identifiers: [string, string, string]): string {
  return [...identifiers.map((field) => field.replace(/[^A-Za-z0-9._-]+/g, "-")), FEEDBACK_SENDER_ID].join(":");
}
