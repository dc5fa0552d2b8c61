import crypto from "node:crypto";
import { getEnv } from "~/utils/env.server.ts";
import type { MailRef } from "./signals.ts";

// The addresses mail comes back to (VERP): every message leaves with an envelope sender that
// names its delivery, bounces+<id>@<bounce domain>, and a mailto: unsubscribe address,
// unsubscribe+<id>@<bounce domain>. The id is signed, so nobody can forge a bounce or an
// unsubscribe for someone else's delivery: a bad signature is refused before anything is looked up.

export type { MailRef };

export type OwnAddress =
  | { kind: "bounce" | "unsubscribe"; ref: MailRef; domain: string }
  /** A unit's feedback-loop address, registered with mailbox providers for their complaint reports. */
  | { kind: "feedback-loop"; domain: string };

const FEEDBACK_LOOP_LOCAL_PART = "fbl";
// 80 bits: a forger gets one guess per RCPT, each refused and logged.
const MAC_LENGTH = 20;
const LOCAL_PART = /^(bounces|unsubscribe)\+([ct])([1-9][0-9]{0,14})-([0-9a-f]{20})$/;
const STREAM_LETTER = { campaign: "c", transactional: "t" } as const;

let macKey: crypto.KeyObject | undefined;

/** Keyed from SESSION_SECRET; the purpose is in the MAC, so a bounce id does not work as an unsubscribe id. */
function mac(purpose: "bounces" | "unsubscribe", id: string): string {
  macKey ??= crypto.createSecretKey(crypto.createHmac("sha256", getEnv().SESSION_SECRET).update("feedback-addresses").digest());
  return crypto.createHmac("sha256", macKey).update(`${purpose}:${id}`).digest("hex").slice(0, MAC_LENGTH);
}

function refId(ref: MailRef): string {
  return `${STREAM_LETTER[ref.stream]}${ref.stream === "campaign" ? ref.deliveryId : ref.messageId}`;
}

function address(purpose: "bounces" | "unsubscribe", ref: MailRef, bounceDomain: string): string {
  const id = refId(ref);
  return `${purpose}+${id}-${mac(purpose, id)}@${bounceDomain}`;
}

/** The envelope sender (Return-Path) of a message: its bounces come back to it. */
export function returnPathFor(ref: MailRef, bounceDomain: string): string {
  return address("bounces", ref, bounceDomain);
}

/** The address in List-Unsubscribe's mailto: any message to it opts the recipient out, like the one-click link. */
export function mailtoUnsubscribeFor(ref: MailRef, bounceDomain: string): string {
  return address("unsubscribe", ref, bounceDomain);
}

export function feedbackLoopAddress(bounceDomain: string): string {
  return `${FEEDBACK_LOOP_LOCAL_PART}@${bounceDomain}`;
}

/**
 * What one of our addresses names, or null when it is not ours or its signature is wrong.
 * Case-insensitive (some servers change the case of addresses); checks the signature only:
 * whether the domain is a unit's bounce domain is the caller's question.
 */
export function readOwnAddress(input: string): OwnAddress | null {
  const addressText = input.trim().replace(/^<(.*)>$/, "$1").toLowerCase();
  const at = addressText.lastIndexOf("@");
  if (at <= 0 || at === addressText.length - 1) return null;
  const localPart = addressText.slice(0, at);
  const domain = addressText.slice(at + 1);
  if (localPart === FEEDBACK_LOOP_LOCAL_PART) return { kind: "feedback-loop", domain };
  const match = LOCAL_PART.exec(localPart);
  if (!match) return null;
  const [, purpose, letter, number, given] = match;
  const expected = mac(purpose as "bounces" | "unsubscribe", `${letter}${number}`);
  if (!crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return null;
  const id = Number(number);
  const ref: MailRef = letter === "c" ? { stream: "campaign", deliveryId: id } : { stream: "transactional", messageId: id };
  return { kind: purpose === "bounces" ? "bounce" : "unsubscribe", ref, domain };
}
