import { describe, expect, it } from "vitest";
import { sendGridSigner } from "../../../../tests/helpers/provider-signers.ts";
import { sendGridSignals, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySendGridPost } from "./sendgrid.server.ts";

// SendGrid's Event Webhook: posts signed as SendGrid signs them (ECDSA P-256 over timestamp + body)
// with a key made here, and events shaped as SendGrid's Event Webhook reference shows them.

const signer = sendGridSigner();
const stranger = sendGridSigner();
const NOW = new Date("2026-12-03T18:00:00Z");
const nowSeconds = NOW.getTime() / 1000;

const event = (fields: Record<string, unknown>) => ({
  email: "example@test.com",
  timestamp: 1513299569,
  "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
  category: "cat facts",
  sg_message_id: "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
  ...fields,
});

/** The example batch of SendGrid's Event Webhook reference, one event of each kind. */
const documentedBatch = [
  event({ event: "processed", sg_event_id: "rbtnWrG1DVDGGGFHFyun0A==" }),
  event({ event: "deferred", sg_event_id: "qK1MxfAaE_ukyyNsjxTpkw==", response: "400 try again later", attempt: "5" }),
  event({ event: "delivered", sg_event_id: "hqFbp3HH9WxIM0R2-x2M1Q==", response: "250 OK" }),
  event({ event: "open", sg_event_id: "FOTFFO0ecsBE-zxFXfs6WA==", useragent: "Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)", ip: "255.255.255.255" }),
  event({ event: "click", sg_event_id: "kCAi1KttyQdEKHhdC-nuEA==", useragent: "Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)", ip: "255.255.255.255", url: "http://www.sendgrid.com/" }),
  event({ event: "bounce", sg_event_id: "6g4ZI7SA-xmRDv57GoPIPw==", reason: "500 unknown recipient", status: "5.0.0", type: "bounce", bounce_classification: "Invalid Address" }),
  event({ event: "dropped", sg_event_id: "zmzJhfJgAfUSOW80yEbPyw==", reason: "Bounced Address", status: "5.0.0" }),
  event({ event: "spamreport", sg_event_id: "Krfn-yDfsMz-nOdmLxE6Ww==" }),
  event({ event: "unsubscribe", sg_event_id: "Krfn-yDfsMz-nOdmLxE6Xx==" }),
  event({ event: "group_unsubscribe", sg_event_id: "ahSCB7xYcXFb-hEaawsPRw==", useragent: "Mozilla/4.0", ip: "255.255.255.255", url: "http://www.sendgrid.com/", asm_group_id: 10 }),
  event({ event: "group_resubscribe", sg_event_id: "w_u0vJhLT-OFfprar5N93g==", useragent: "Mozilla/4.0", ip: "255.255.255.255", url: "http://www.sendgrid.com/", asm_group_id: 10 }),
];
const documentedBody = JSON.stringify(documentedBatch);

function verdict(body: string, headers: Record<string, string>, key = signer.publicKey) {
  return verifySendGridPost(key, new TextEncoder().encode(body), { signature: headers[SIGNATURE_HEADER] ?? null, timestamp: headers[TIMESTAMP_HEADER] ?? null }, NOW);
}

describe("verifySendGridPost", () => {
  it("accepts the documented batch signed with the webhook's key", () => {
    expect(verdict(documentedBody, signer.headers(documentedBody, nowSeconds))).toEqual({ ok: true });
  });

  it("refuses an unsigned post, naming the headers", () => {
    expect(verdict(documentedBody, {})).toMatchObject({ ok: false, reason: "unsigned", detail: expect.stringContaining(SIGNATURE_HEADER) });
  });

  it("refuses a body changed after signing, another key's signature, and a timestamp changed after signing", () => {
    const headers = signer.headers(documentedBody, nowSeconds);
    expect(verdict(documentedBody.replace('"spamreport"', '"delivered"'), headers)).toMatchObject({ ok: false, reason: "signature" });
    expect(verdict(documentedBody, stranger.headers(documentedBody, nowSeconds))).toMatchObject({ ok: false, reason: "signature" });
    expect(verdict(documentedBody, { ...headers, [TIMESTAMP_HEADER]: String(nowSeconds - 1) })).toMatchObject({ ok: false, reason: "signature" });
  });

  it("refuses signatures that are not signatures at all, without throwing", () => {
    for (const signature of ["not base64 !!", "", "AAAA", Buffer.from("x".repeat(72)).toString("base64")]) {
      expect(verdict(documentedBody, { [SIGNATURE_HEADER]: signature || "=", [TIMESTAMP_HEADER]: String(nowSeconds) })).toMatchObject({ ok: false });
    }
    expect(verdict(documentedBody, { ...signer.headers(documentedBody, nowSeconds), [TIMESTAMP_HEADER]: "soon" })).toMatchObject({ ok: false, reason: "signature" });
  });

  it("refuses a post signed more than ten minutes before or after now (a replay)", () => {
    expect(verdict(documentedBody, signer.headers(documentedBody, nowSeconds - 599))).toEqual({ ok: true });
    expect(verdict(documentedBody, signer.headers(documentedBody, nowSeconds - 601))).toMatchObject({ ok: false, reason: "stale" });
    expect(verdict(documentedBody, signer.headers(documentedBody, nowSeconds + 601))).toMatchObject({ ok: false, reason: "stale" });
  });
});

describe("sendGridSignals", () => {
  it("reads the documented batch: delivered, bounce, dropped, spam report and both unsubscribes; skips processed, deferred, open, click and resubscribe", () => {
    const reading = sendGridSignals(documentedBody)!;
    expect(reading.skipped).toBe(5);
    expect(reading.signals.map((s) => [s.kind, s.externalId])).toEqual([
      ["DELIVERED", "hqFbp3HH9WxIM0R2-x2M1Q=="],
      ["HARD_BOUNCE", "6g4ZI7SA-xmRDv57GoPIPw=="],
      ["HARD_BOUNCE", "zmzJhfJgAfUSOW80yEbPyw=="],
      ["COMPLAINT", "Krfn-yDfsMz-nOdmLxE6Ww=="],
      ["UNSUBSCRIBE", "Krfn-yDfsMz-nOdmLxE6Xx=="],
      ["UNSUBSCRIBE", "ahSCB7xYcXFb-hEaawsPRw=="],
    ]);
    expect(reading.signals[1]).toEqual({
      kind: "HARD_BOUNCE",
      via: "SENDGRID",
      messageId: "<14c5d75ce93.dfd.64b469@ismtpd-555>",
      recipient: "example@test.com",
      status: "5.0.0",
      diagnostic: "500 unknown recipient",
      raw: JSON.stringify(documentedBatch[5]),
      externalId: "6g4ZI7SA-xmRDv57GoPIPw==",
      receivedAt: new Date(1513299569 * 1000),
    });
    expect(reading.signals[0].diagnostic).toBe("250 OK");
  });

  it.each([
    ["a bounce with a 4.x status", { type: "bounce", status: "4.2.2", reason: "452 mailbox full" }, "SOFT_BOUNCE"],
    ["a bounce with a 5.x status", { type: "bounce", status: "5.1.1", reason: "550 5.1.1 user unknown" }, "HARD_BOUNCE"],
    ["a bounce with no type (older payloads)", { status: "5.0.0", reason: "500 unknown recipient" }, "HARD_BOUNCE"],
    ["a bounce with a 5.7.x policy status", { type: "bounce", status: "5.7.1", reason: "550 5.7.1 message rejected as spam" }, "POLICY_BOUNCE"],
    ["a block (the receiver refused the sender)", { type: "blocked", status: "5.0.0", reason: "554 IP listed on a block list" }, "POLICY_BOUNCE"],
    ["a block whose address is invalid", { type: "blocked", status: "5.0.0", bounce_classification: "Invalid Address" }, "HARD_BOUNCE"],
    ["a bounce classified Invalid Address", { type: "bounce", status: "4.0.0", bounce_classification: "Invalid Address" }, "HARD_BOUNCE"],
    ["a bounce classified Reputation", { type: "bounce", status: "5.0.0", bounce_classification: "Reputation" }, "POLICY_BOUNCE"],
    ["a bounce classified Content", { type: "bounce", status: "5.0.0", bounce_classification: "Content" }, "POLICY_BOUNCE"],
    ["a bounce classified Frequency or Volume Too High", { type: "bounce", status: "5.0.0", bounce_classification: "Frequency or Volume Too High" }, "POLICY_BOUNCE"],
    ["a bounce classified Technical Failure", { type: "bounce", status: "5.0.0", bounce_classification: "Technical Failure" }, "SOFT_BOUNCE"],
    ["a bounce classified Mailbox Unavailable", { type: "bounce", status: "5.0.0", bounce_classification: "Mailbox Unavailable" }, "SOFT_BOUNCE"],
    // Unclassified: the same rules as a bounce by mail. A bare 5.0.0 is too vague to end an address.
    ["a bounce classified Unclassified", { type: "bounce", status: "5.0.0", bounce_classification: "Unclassified" }, "SOFT_BOUNCE"],
    ["an unclassified bounce saying the user is unknown", { type: "bounce", status: "5.0.0", reason: "550 5.1.1 The email account that you tried to reach does not exist" }, "HARD_BOUNCE"],
    ["an unclassified bounce for a full mailbox", { type: "bounce", status: "5.2.2", reason: "552 5.2.2 Mailbox full" }, "SOFT_BOUNCE"],
    ["an unclassified bounce with no status", { type: "bounce", reason: "refused" }, "HARD_BOUNCE"],
    ["a bounce classified with a name that is no classification", { type: "bounce", status: "4.0.0", bounce_classification: "constructor" }, "SOFT_BOUNCE"],
  ])("reads %s", (_, fields, kind) => {
    expect(sendGridSignals(JSON.stringify([event({ event: "bounce", sg_event_id: "b", ...fields })]))!.signals[0].kind).toBe(kind);
  });

  it.each([
    ["Bounced Address", "HARD_BOUNCE"],
    ["Invalid", "HARD_BOUNCE"],
    ["Unsubscribed Address", "IGNORED"],
    ["Spam Reporting Address", "IGNORED"],
    ["Invalid SMTPAPI header", "IGNORED"],
  ])("reads a message dropped for %s as %s, saying SendGrid dropped it", (reason, kind) => {
    const [signal] = sendGridSignals(JSON.stringify([event({ event: "dropped", sg_event_id: "d", reason, status: "5.0.0" })]))!.signals;
    expect(signal).toMatchObject({ kind, diagnostic: `SendGrid dropped the message: ${reason}` });
  });

  it("names an event without sg_event_id by its content, so a retried batch is still recorded once", () => {
    const older = [{ email: "not an email address", "smtp-id": "<4FB29F5D.5080404@sendgrid.com>", timestamp: 1386636115, reason: "Invalid", event: "dropped" }];
    const first = sendGridSignals(JSON.stringify(older))!.signals[0];
    expect(first.externalId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(sendGridSignals(JSON.stringify(older))!.signals[0].externalId).toBe(first.externalId);
  });

  it("keeps only well-formed Message-IDs and status codes", () => {
    const [signal] = sendGridSignals(JSON.stringify([event({ event: "bounce", sg_event_id: "x", "smtp-id": "no id here", status: "five", reason: "  550\n  gone  " })]))!.signals;
    expect(signal).toMatchObject({ messageId: undefined, status: undefined, diagnostic: "550 gone" });
  });

  it("returns null for a body that is not a JSON array, and skips elements that are not events without holding up the rest", () => {
    for (const body of ["", "{", "{}", '{"event":"bounce"}', "null"]) expect(sendGridSignals(body)).toBeNull();
    expect(sendGridSignals("[]")).toEqual({ signals: [], skipped: 0 });
    const mixed = sendGridSignals(JSON.stringify([1, null, { email: "a@b" }, { event: 7 }, event({ event: "spamreport", sg_event_id: "s" })]))!;
    expect([mixed.signals.map((s) => s.kind), mixed.skipped]).toEqual([["COMPLAINT"], 4]);
  });
});
