import { describe, expect, it } from "vitest";
import { feedbackLoopAddress, mailtoUnsubscribeFor, readOwnAddress, returnPathFor } from "./addresses.server.ts";

const DOMAIN = "bounces.example-tax.test";

describe("the addresses mail comes back to", () => {
  it("names its delivery and reads back, whatever the case", () => {
    const bounce = returnPathFor({ stream: "campaign", deliveryId: 42 }, DOMAIN);
    expect(bounce).toMatch(/^bounces\+c42-[0-9a-f]{20}@bounces\.example-tax\.test$/);
    expect(readOwnAddress(bounce)).toEqual({ kind: "bounce", ref: { stream: "campaign", deliveryId: 42 }, domain: DOMAIN });
    expect(readOwnAddress(`<${bounce.toUpperCase()}>`)).toEqual({ kind: "bounce", ref: { stream: "campaign", deliveryId: 42 }, domain: DOMAIN });

    const mailto = mailtoUnsubscribeFor({ stream: "transactional", messageId: 7 }, DOMAIN);
    expect(readOwnAddress(mailto)).toEqual({ kind: "unsubscribe", ref: { stream: "transactional", messageId: 7 }, domain: DOMAIN });
    expect(readOwnAddress(feedbackLoopAddress(DOMAIN))).toEqual({ kind: "feedback-loop", domain: DOMAIN });
  });

  it("refuses a forged or altered id", () => {
    const bounce = returnPathFor({ stream: "campaign", deliveryId: 42 }, DOMAIN);
    const mac = bounce.slice(bounce.indexOf("-") + 1, bounce.indexOf("@"));
    // Another delivery with the same signature: the signature covers the id.
    expect(readOwnAddress(`bounces+c43-${mac}@${DOMAIN}`)).toBeNull();
    expect(readOwnAddress(`bounces+t42-${mac}@${DOMAIN}`)).toBeNull();
    // A bounce address is not an unsubscribe address: the purpose is signed too.
    expect(readOwnAddress(bounce.replace("bounces+", "unsubscribe+"))).toBeNull();
    const flipped = mac.slice(0, -1) + (mac.endsWith("0") ? "1" : "0");
    expect(readOwnAddress(`bounces+c42-${flipped}@${DOMAIN}`)).toBeNull();
    for (const other of ["postmaster@" + DOMAIN, "bounces@" + DOMAIN, "bounces+c42@" + DOMAIN, "someone@example.com", "", "@", "bounces+c0-00000000000000000000@x"]) {
      expect(readOwnAddress(other), other).toBeNull();
    }
  });
});
