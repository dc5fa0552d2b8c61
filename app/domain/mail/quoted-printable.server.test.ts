import { describe, expect, it } from "vitest";
import { encode, wrap } from "nodemailer/lib/qp";
import { quotedPrintable } from "./quoted-printable.server.ts";

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
