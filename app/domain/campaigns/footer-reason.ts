import type { ConsentBasis } from "~/generated/prisma/enums.ts";
import { tFor } from "~/i18n/i18n.ts";
import { DEFAULT_LANGUAGE, type Language } from "~/i18n/languages.ts";
import { formatDayOf } from "~emails/components/format.ts";

// What a promotional footer says about why this person gets the mail (in their language, the day
// in their time zone), and whether it carries the "Advertisement" label: both from the consent record of the recipient's subscription (ADR 045).
// Pure, so the composer's preview and the sender say the same.

/** The consent record of the subscription a campaign reaches the recipient through. */
export type RecipientConsent = { basis: ConsentBasis; consentedAt: Date };

type ReasonFacts = RecipientConsent & {
  topicName: string;
  unitName: string;
  /** The recipient's language (Contact.locale); English when not given. */
  language?: Language;
  /** The recipient's IANA time zone (Contact.timeZone): the day is theirs; null or not given: UTC. */
  timeZone?: string | null;
};

/**
 * One short, true sentence per basis, in the recipient's language. Only express consent is "you
 * subscribed": the other bases say what the unit relies on instead (a purchase, a question, a
 * sale with the chance to refuse, a relationship), with the day it happened where the record has
 * one that means something.
 */
export function consentReason({ basis, consentedAt, topicName, unitName, language = DEFAULT_LANGUAGE, timeZone = null }: ReasonFacts): string {
  // The day of the consent record, in the recipient's zone.
  const day = formatDayOf(consentedAt, language, timeZone);
  // Called once per recipient on the send path: a campaign has one topic and unit and few
  // distinct days and bases, so each sentence is worded once and then looked up.
  const key = `${language}\u0000${basis}\u0000${day}\u0000${topicName}\u0000${unitName}`;
  let reason = reasons.get(key);
  if (reason === undefined) {
    reason = tFor(language)(`footer.reason.${basis}`, { topic: topicName.trim(), unit: unitName.trim(), day });
    if (reasons.size >= 10_000) reasons.clear();
    reasons.set(key, reason);
  }
  return reason;
}
const reasons = new Map<string, string>();

/**
 * Whether the recipient's copy says "Advertisement": always without express consent (CAN-SPAM
 * asks it of commercial mail sent without "affirmative consent"), and for everyone when the
 * marketer ticked it.
 */
export function showsAdvertisementLabel(basis: ConsentBasis, markedByMarketer: boolean): boolean {
  return markedByMarketer || basis !== "EXPRESS";
}
