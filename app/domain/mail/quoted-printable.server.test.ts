import { describe, expect, it } from "vitest";
import { encode, wrap } from "nodemailer/lib/qp";
import fc from "fast-check";
import { encodeSlottedPart, fillEncodedPart, quotedPrintable } from "./quoted-printable.server.ts";
import { ConsentBasis } from "~/generated/prisma/enums.ts";
import { consentReason } from "~/domain/campaigns/footer-reason.ts";

describe("quotedPrintable", () => {
  it("is nodemailer's encoding, also for the text it passes through unencoded", () => {
    const token = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJ1IjozLCJjaCI6ImUifQ.c2lnbmF0dXJl-_";
    const texts = [
      "",
      `https://prefs.example.com/u/${token}`,
      `https://prefs.example.com/p/${token.repeat(4)}?a=1&amp;b=2`,
      "https://example.com/a.b.c/" + "x".repeat(200),
      "You subscribed to Tax tips from Example Tax on 3 May 2026.",
      "trailing space ",
      "tab\there",
      "line one\nline two\r\nline three",
      "naïve café — €5",
      "=3D already encoded?",
      "~!@#$%^&*()_+{}|:<>?`-[]\\;',./\"",
    ];
    for (const text of texts) {
      expect({ text, encoded: quotedPrintable(text) }).toEqual({ text, encoded: wrap(encode(text.replace(/\r?\n/g, "\r\n")), 76) });
    }
  });
});

/** Strict RFC 2045 decoding: soft breaks vanish, =XX is a byte, any other "=" is an error; CRLF stays. */
function decodeQuotedPrintable(encoded: string): string {
  const bytes: number[] = [];
  const body = encoded.replaceAll("=\r\n", "");
  for (let index = 0; index < body.length; index++) {
    if (body[index] !== "=") {
      bytes.push(body.charCodeAt(index));
      continue;
    }
    const hex = body.slice(index + 1, index + 3);
    if (!/^[0-9A-F]{2}$/.test(hex)) throw new Error(`"=${hex}" at ${index} is not an escape`);
    bytes.push(parseInt(hex, 16));
    index += 2;
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes));
}

const BODY_START = "\r\n\r\n";
const bodyOf = (node: string) => node.slice(node.indexOf(BODY_START) + BODY_START.length);
const longLines = (body: string) => body.split("\r\n").filter((line) => line.length > 76);
/** What the recipient's part says once filled: the pieces with the values in their slots, line breaks as CRLF. */
const filledText = (pieces: readonly string[], values: Record<string, string>) =>
  pieces.map((piece, index) => (index % 2 === 1 ? values[piece] : piece)).join("").replace(/\r?\n/g, "\r\n");

describe("a part encoded once and filled per recipient", () => {
  it("keeps every line within 76 characters when a value fills a whole line", () => {
    const link = `https://prefs.example.com/u/${"t".repeat(76 - "https://prefs.example.com/u/".length)}`;
    expect(link).toHaveLength(76);
    const part = encodeSlottedPart(["Unsubscribe: ", "unsubscribeUrl", "\n"], "text/plain");
    const body = bodyOf(fillEncodedPart(part, { unsubscribeUrl: link }));
    expect(longLines(body)).toEqual([]);
    expect(decodeQuotedPrintable(body)).toBe(`Unsubscribe: ${link}\r\n`);
  });

  it("keeps every line within 76 characters when the text before a slot fills its line", () => {
    const part = encodeSlottedPart([`${"x".repeat(76)}`, "reason", "."], "text/plain");
    const body = bodyOf(fillEncodedPart(part, { reason: "Why" }));
    expect(longLines(body)).toEqual([]);
    expect(decodeQuotedPrintable(body)).toBe(`${"x".repeat(76)}Why.`);
  });

  // Text as templates and footers hold it: ASCII words, spaces and tabs at line ends, "=", line
  // breaks, accents, symbols and emoji (four UTF-8 bytes, escaped as twelve characters).
  const character = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(..."abcxyz0189-_./?&:;") },
    { weight: 2, arbitrary: fc.constantFrom(" ", "\t", "=", "\n", "\r\n") },
    { weight: 2, arbitrary: fc.constantFrom("é", "ß", "—", "€", "“", "😀", "\u00a0") },
    // German footers and service mail (ADR 047): umlauts, two UTF-8 bytes each, six characters encoded.
    { weight: 2, arbitrary: fc.constantFrom("ä", "ö", "ü", "Ä", "Ö", "Ü", "„") },
  );
  const text = (maxLength: number) => fc.array(character, { maxLength }).map((characters) => characters.join(""));
  // A value is often a long printable link (it skips the encoder) and sometimes a sentence.
  const value = fc.oneof(
    fc.integer({ min: 0, max: 240 }).map((length) => `https://p.example.com/u/${"a".repeat(length)}`.slice(0, Math.max(1, length))),
    text(200),
    // A German footer's reason as the sender words it, about a topic and unit with any name.
    fc
      .record({ basis: fc.constantFrom(...Object.values(ConsentBasis)), topicName: text(60), unitName: text(40), day: fc.integer({ min: 0, max: 3650 }) })
      .map(({ day, ...facts }) => consentReason({ ...facts, consentedAt: new Date(Date.UTC(2020, 0, 1) + day * 86_400_000), language: "de", timeZone: "Europe/Berlin" })),
  );
  const slotted = fc.array(fc.tuple(fc.constantFrom("unsubscribeUrl", "preferencesUrl", "reason"), text(200)), { maxLength: 4 });

  it("for any text and values: lines within 76 characters, and it decodes to exactly the filled text", () => {
    fc.assert(
      fc.property(text(200), slotted, fc.record({ unsubscribeUrl: value, preferencesUrl: value, reason: value }), (first, rest, values) => {
        const pieces = [first, ...rest.flat()];
        for (const contentType of ["text/plain", "text/html"] as const) {
          const body = bodyOf(fillEncodedPart(encodeSlottedPart(pieces, contentType), values));
          expect(longLines(body)).toEqual([]);
          expect(decodeQuotedPrintable(body)).toBe(filledText(pieces, values));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
