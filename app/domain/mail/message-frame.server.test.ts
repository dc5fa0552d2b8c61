import { describe, expect, it } from "vitest";
import MailComposer from "nodemailer/lib/mail-composer";
import { encodeSlottedPart, fillEncodedPart } from "./quoted-printable.server.ts";
import { buildMessageFrame } from "./message-frame.server.ts";
import { composeMessage, type OutgoingMail } from "./outgoing-mail.server.ts";

// A framed message must be exactly the message nodemailer builds from the same fields: the
// frame is an optimisation, never a second way of writing mail.

const HEADER_NAMES = ["List-Unsubscribe", "List-Unsubscribe-Post"];

/** The same message as bytes nodemailer would write, with its date and boundary made comparable. */
async function composed(mail: OutgoingMail): Promise<string> {
  const options = composeMessage(mail);
  const message = options.raw ? String(options.raw) : (await new MailComposer(options).compile().build()).toString("utf8");
  const boundary = /boundary="([^"]+)"/.exec(message)?.[1];
  expect(boundary).toBeDefined();
  return message.replaceAll(boundary!, "BOUNDARY").replace(/^Date: .*$/m, "Date: (now)");
}

const senders = [
  { from: { name: "Example Tax", address: "news@tax.example.com" }, replyTo: "help@tax.example.com", subject: "Your tax checklist for May" },
  {
    from: { name: 'Zürich "Wealth" & Co, Ltd.', address: "news@wealth.example.com" },
    replyTo: undefined,
    subject: `Ünïcödé subject — ${"with many words that fold ".repeat(6)}and an ending`,
  },
];
const recipients = [
  { to: "ann@example.com", url: "https://prefs.example.com/u/abc.def.ghi" },
  { to: `${"a".repeat(70)}@${"sub.".repeat(10)}example.com`, url: `https://prefs.example.com/u/${"x".repeat(400)}` },
];

describe("a message frame, filled", () => {
  it("is byte for byte the message nodemailer composes from the same fields", async () => {
    const text = encodeSlottedPart(["Hello ", "name", " — the text part ends here."], "text/plain");
    const html = encodeSlottedPart(["<p>Hello ", "name", " — <b>the HTML part</b>.</p>"], "text/html");
    let compared = 0;
    for (const sender of senders) {
      const frame = await buildMessageFrame({ ...sender, headerNames: HEADER_NAMES });
      for (const recipient of recipients) {
        const mail: OutgoingMail = {
          stream: "promotional",
          ...sender,
          to: recipient.to,
          html: "<p>unused: the encoded parts are sent</p>",
          text: "unused: the encoded parts are sent",
          headers: { "List-Unsubscribe": `<${recipient.url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
          messageIdDomain: "tax.example.com",
          messageIdLocalPart: "delivery.42",
          encodedParts: { text: fillEncodedPart(text, { name: recipient.to }), html: fillEncodedPart(html, { name: recipient.to }) },
          ...(sender.replyTo ? { replyTo: sender.replyTo } : { replyTo: undefined }),
        };
        expect(composeMessage({ ...mail, frame }).raw).toBeDefined();
        expect(await composed({ ...mail, frame })).toBe(await composed(mail));
        compared++;
      }
    }
    expect(compared).toBe(4);
  });

  /** A framed message for the first sender, with whatever the test changes. */
  async function framedMail(changes: Partial<OutgoingMail>): Promise<OutgoingMail> {
    const sender = senders[0];
    return {
      stream: "promotional",
      ...sender,
      to: "ann@example.com",
      html: "<p>x</p>",
      text: "x",
      headers: { "List-Unsubscribe": "<https://prefs.example.com/u/t>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
      messageIdDomain: "tax.example.com",
      encodedParts: { text: "Content-Type: text/plain\r\n\r\nx", html: "Content-Type: text/html\r\n\r\nx" },
      frame: await buildMessageFrame({ ...sender, headerNames: HEADER_NAMES }),
      ...changes,
    };
  }

  it("is refused for a message whose fields it was not built from", async () => {
    const mail = await framedMail({ subject: "Another subject" });
    expect(() => composeMessage(mail)).toThrow("the message frame was built for another From, Reply-To, Subject or other headers");
  });

  it("is not used for a non-ASCII address, which nodemailer rewrites", async () => {
    const options = composeMessage(await framedMail({ to: "jörg@exämple.com" }));
    expect(options.raw).toBeUndefined();
    expect(options.to).toBe("jörg@exämple.com");
  });
});
