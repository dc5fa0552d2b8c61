import { encode, wrap } from "nodemailer/lib/qp";

// A campaign's body parts, Quoted-Printable-encoded once per campaign. Each recipient's values
// are encoded alone and joined with soft line breaks ("=" CRLF decodes to nothing), so a filled
// part decodes to exactly the text a fresh encoding would, every line stays within 76
// characters, and encoding 200,000 copies of the same 15 KB no longer dominates a send. Text
// followed by a soft break ends on a line short enough to take its "=" (see roomForSoftBreak).

const SOFT_BREAK = "=\r\n";
const LINE_LENGTH = 76;

/** Literal text at even indices, a slot's name at odd ones (as SlottedPart in emails/render.tsx). */
export type EncodedPart = { readonly headers: string; readonly pieces: readonly string[] };

// Printable ASCII other than "=" and white space is encoded as itself (RFC 2045 6.7). A
// recipient's links always are, so they skip the encoder and only get their soft line breaks.
const ENCODED_AS_ITSELF = /^[\x21-\x3c\x3e-\x7e]*$/;

export const quotedPrintable = (text: string) =>
  wrap(ENCODED_AS_ITSELF.test(text) ? text : encode(text.replace(/\r?\n/g, "\r\n")), LINE_LENGTH);

/**
 * Encoded text that a soft break follows: its last line leaves room for the "=". wrap() lets a
 * last line fill all 76 characters (nothing follows it there), so a full one is broken once
 * more, before its last character or, when that ends an escape, before the whole "=XX".
 */
function roomForSoftBreak(encoded: string): string {
  const lastLine = encoded.length - (encoded.lastIndexOf("\n") + 1);
  if (lastLine < LINE_LENGTH) return encoded;
  // Every "=" in encoded text starts an escape ("=" itself is "=3D"), and wrap() never splits one.
  const cut = encoded.length - (encoded[encoded.length - 3] === "=" ? 3 : 1);
  return encoded.slice(0, cut) + SOFT_BREAK + encoded.slice(cut);
}

export function encodeSlottedPart(pieces: readonly string[], contentType: "text/plain" | "text/html"): EncodedPart {
  const last = pieces.length - 1;
  return {
    headers: `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`,
    pieces: pieces.map((piece, index) => (index % 2 === 1 ? piece : index === last ? quotedPrintable(piece) : roomForSoftBreak(quotedPrintable(piece)))),
  };
}

/** The MIME part (its headers and encoded body) with this recipient's values in its slots. */
export function fillEncodedPart(part: EncodedPart, values: Readonly<Record<string, string>>): string {
  let node = part.headers + part.pieces[0];
  for (let index = 1; index < part.pieces.length; index += 2) {
    node += SOFT_BREAK + roomForSoftBreak(quotedPrintable(values[part.pieces[index]])) + SOFT_BREAK + part.pieces[index + 1];
  }
  return node;
}
