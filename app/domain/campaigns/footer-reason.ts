import type { ConsentBasis } from "~/generated/prisma/enums.ts";
import { formatDate } from "~emails/components/format.ts";

// What a promotional footer says about why this person gets the mail, and whether it carries the
// "Advertisement" label: both from the consent record of the recipient's subscription (ADR 045).
// Pure, so the composer's preview and the sender say the same.

/** The consent record of the subscription a campaign reaches the recipient through. */
export type RecipientConsent = { basis: ConsentBasis; consentedAt: Date };

type ReasonFacts = RecipientConsent & { topicName: string; unitName: string };

/**
 * One short, true sentence per basis. Only express consent is "you subscribed": the other bases
 * say what the unit relies on instead (a purchase, a question, a sale with the chance to refuse,
 * a relationship), with the day it happened where the record has one that means something.
 */
export function consentReason({ basis, consentedAt, topicName, unitName }: ReasonFacts): string {
  const topic = topicName.trim();
  const unit = unitName.trim();
  // The day of the consent record, in UTC.
  const day = formatDate(consentedAt.toISOString());
  switch (basis) {
    case "EXPRESS":
      return `You subscribed to ${topic} from ${unit} on ${day}.`;
    case "IMPLIED_PURCHASE":
      return `You receive ${topic} as a customer of ${unit}: you bought from it on ${day}.`;
    case "IMPLIED_INQUIRY":
      return `You receive ${topic} because you asked ${unit} about its products or services on ${day}.`;
    case "SOFT_OPT_IN":
      return `You receive ${topic} as a customer of ${unit}: you could say no when you gave your email address on ${day}.`;
    case "LEGITIMATE_INTEREST":
      return `You receive ${topic} because you have dealt with ${unit} before, not because you signed up.`;
  }
}

/**
 * Whether the recipient's copy says "Advertisement": always without express consent (CAN-SPAM
 * asks it of commercial mail sent without "affirmative consent"), and for everyone when the
 * marketer ticked it.
 */
export function showsAdvertisementLabel(basis: ConsentBasis, markedByMarketer: boolean): boolean {
  return markedByMarketer || basis !== "EXPRESS";
}
