import { describe, expect, it } from "vitest";
import MailComposer from "nodemailer/lib/mail-composer";
import { encodeSlottedPart, fillEncodedPart } from "./quoted-printable.server.ts";
import { buildMessageFrame } from "./message-frame.server.ts";
import { composeMessage, type OutgoingMail } from "./outgoing-mail.server.ts";

// A framed message must be exactly the message nodemailer builds from the same fields: the
// frame is an optimisation, never a second way of writing mail.

// List-Id and Feedback-ID are the same in every copy (written into the frame), List-Unsubscribe differs.
const LIST_ID = '"Tax tips from Example Tax" <tax-tips.example-tax.list-id.tax.example.com>';
const FEEDBACK_ID = "c42:t7:example-tax:prefcenter";
const FRAME_HEADERS = [
  ["List-Id", LIST_ID],
  ["List-Unsubscribe", null],
  ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"],
  ["Feedback-ID", FEEDBACK_ID],
] as const;
const headersFor = (listUnsubscribe: string) => ({
  "List-Id": LIST_ID,
  "List-Unsubscribe": listUnsubscribe,
  "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
  "Feedback-ID": FEEDBACK_ID,
});

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
  { to: "ann@example.com", listUnsubscribe: "<https://prefs.example.com/u/abc.def.ghi>" },
  {
    to: `${"a".repeat(70)}@${"sub.".repeat(10)}example.com`,
    listUnsubscribe: `<https://prefs.example.com/u/${"x".repeat(400)}>, <mailto:unsubscribe+c12-0123456789abcdef0123@bounces.tax.example.com?subject=unsubscribe>`,
  },
];

describe("a message frame, filled", () => {
  it("is byte for byte the message nodemailer composes from the same fields", async () => {
    const text = encodeSlottedPart(["Hello ", "name", " — the text part ends here."], "text/plain");
    const html = encodeSlottedPart(["<p>Hello ", "name", " — <b>the HTML part</b>.</p>"], "text/html");
    let compared = 0;
    for (const sender of senders) {
      const frame = await buildMessageFrame({ ...sender, headers: FRAME_HEADERS });
      for (const recipient of recipients) {
        const mail: OutgoingMail = {
          stream: "promotional",
          ...sender,
          to: recipient.to,
          html: "<p>unused: the encoded parts are sent</p>",
          text: "unused: the encoded parts are sent",
          headers: headersFor(recipient.listUnsubscribe),
          messageIdDomain: "tax.example.com",
          messageIdLocalPart: "delivery.42",
          encodedParts: { text: fillEncodedPart(text, { name: recipient.to }), html: fillEncodedPart(html, { name: recipient.to }) },
          ...(sender.replyTo ? { replyTo: sender.replyTo } : { replyTo: undefined }),
        };
        expect(composeMessage({ ...mail, frame }).raw).toBeDefined();
        const framed = await composed({ ...mail, frame });
        expect(framed).toBe(await composed(mail));
        // A plain value is written as it is: nodemailer alone would encode a value with a quote whole.
        expect(`\r\n${framed}`.replace(/\r\n(?=[ \t])/g, "")).toContain(`\r\nList-ID: ${LIST_ID}\r\n`);
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
      headers: headersFor("<https://prefs.example.com/u/t>"),
      messageIdDomain: "tax.example.com",
      encodedParts: { text: "Content-Type: text/plain\r\n\r\nx", html: "Content-Type: text/html\r\n\r\nx" },
      frame: await buildMessageFrame({ ...sender, headers: FRAME_HEADERS }),
      ...changes,
    };
  }

  it("is refused for a message whose fields it was not built from", async () => {
    const mail = await framedMail({ subject: "Another subject" });
    expect(() => composeMessage(mail)).toThrow("the message frame was built for another From, Reply-To, Subject or other headers");
  });

  it("is refused when a header the frame holds fixed has another value, or the headers differ", async () => {
    const refused = "the message frame was built for another From, Reply-To, Subject or other headers";
    const otherCampaign = await framedMail({ headers: { ...headersFor("<https://prefs.example.com/u/t>"), "Feedback-ID": "c43:t7:example-tax:prefcenter" } });
    expect(() => composeMessage(otherCampaign)).toThrow(refused);
    const { "List-Id": _listId, ...withoutListId } = headersFor("<https://prefs.example.com/u/t>");
    const noListId = await framedMail({ headers: withoutListId });
    expect(() => composeMessage(noListId)).toThrow(refused);
  });

  it("is not used for a non-ASCII address, which nodemailer rewrites", async () => {
    const options = composeMessage(await framedMail({ to: "jörg@exämple.com" }));
    expect(options.raw).toBeUndefined();
    expect(options.to).toBe("jörg@exämple.com");
  });
});
