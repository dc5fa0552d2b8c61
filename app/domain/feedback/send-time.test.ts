import { describe, expect, it } from "vitest";
import { sendTimeSignal } from "./send-time.ts";

const about = { ref: { stream: "campaign", deliveryId: 12 } as const, recipient: "gone@example.com", mailFrom: "bounces+c12-0123456789abcdef0123@bounces.example.com" };
const refusal = (code: number, response: string, command = "RCPT TO") => ({ code, response, command });

describe("a refusal while sending, as feedback", () => {
  it("is the bounce a DSN with the same status would be: 5.1.x hard, 5.7.x policy, a full mailbox soft", () => {
    expect(sendTimeSignal(refusal(550, "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown"), about)).toEqual({
      kind: "HARD_BOUNCE",
      via: "SEND_TIME",
      ref: about.ref,
      recipient: "gone@example.com",
      rcptTo: "gone@example.com",
      mailFrom: about.mailFrom,
      status: "5.1.1",
      diagnostic: "smtp; 550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown",
    });
    expect(sendTimeSignal(refusal(550, "550 5.7.1 Service unavailable; client host blocked using Spamhaus"), about)).toMatchObject({ kind: "POLICY_BOUNCE", status: "5.7.1" });
    expect(sendTimeSignal(refusal(552, "552-5.2.2 The email account that you tried to reach is over quota.", "DATA"), about)).toMatchObject({ kind: "SOFT_BOUNCE", status: "5.2.2" });
  });

  it("is nothing for a temporary refusal, or a refusal of our sender rather than the recipient", () => {
    expect(sendTimeSignal(refusal(451, "451 4.3.0 Try again later"), about)).toBeNull();
    expect(sendTimeSignal(refusal(550, "550 5.1.8 Sender address rejected: Domain not found", "MAIL FROM"), about)).toBeNull();
    expect(sendTimeSignal(refusal(535, "535 5.7.8 Authentication credentials invalid", "AUTH PLAIN"), about)).toBeNull();
  });

  it("reads a reply without an enhanced code by its text, as a DSN quoting it would be; the status left out, the reply on one line", () => {
    const signal = sendTimeSignal(refusal(550, "550 No such user here\r\n  (see the docs)"), about);
    expect(signal).toMatchObject({ kind: "HARD_BOUNCE", diagnostic: "smtp; 550 No such user here (see the docs)" });
    expect(signal).not.toHaveProperty("status");
    expect(sendTimeSignal(refusal(554, "554 Message rejected as spam", "DATA"), about)).toMatchObject({ kind: "POLICY_BOUNCE" });
  });
});
