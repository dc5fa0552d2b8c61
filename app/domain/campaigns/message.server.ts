import { PRINTABLE_ASCII, type OutgoingMail } from "~/domain/mail/outgoing-mail.server.ts";
import { missingSenderFacts, unitDkim, type SendingUnitFacts, type UnitDkim } from "~/domain/units/sender-facts.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { brandColors, type UnitIdentity } from "~emails/components/index.ts";
import type { CampaignContent } from "~emails/promotional/campaign.tsx";
import { campaignMarkdownToHtml, isBlankCampaignHtml } from "~emails/promotional/markdown.ts";
import { escapeHtml, fillPromotional, preparePromotional, recipientSlotValues, spacedSlot, TemplateContextError, type PreparedPromotionalEmail, type RenderedEmail, type SlotValues } from "~emails/render.tsx";
import { encodeSlottedPart, fillEncodedPart, type EncodedPart } from "~/domain/mail/quoted-printable.server.ts";
import { buildMessageFrame, type MessageFrame } from "~/domain/mail/message-frame.server.ts";
import { feedbackIdHeader, listIdHeader } from "~/domain/mail/list-headers.server.ts";
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from "~/i18n/languages.ts";
import { mergeFieldProblems, mergeValue, parseMergeFields, type MergeTag, type MergeValues } from "./merge-fields.ts";
import { consentReason, showsAdvertisementLabel, type RecipientConsent } from "./footer-reason.ts";

// A campaign's email: what the marketer wrote, checked; rendered once per campaign; then one
// cheap substitution per recipient (their links and why they get it) into a message ready for
// the transport. The composer's preview goes through the same two steps. Whether a copy carries
// the "Advertisement" label depends on the recipient's consent (ADR 045): the message is
// rendered once with the label and once without, and each copy fills in the form it needs. The
// footer is the product's words in the recipient's language (ADR 047): each form exists once per
// language, so a campaign renders 2 × LANGUAGES.length times whatever its size, never per recipient.

/** What the marketer writes in the composer. */
export type CampaignDraft = {
  subject: string;
  /** Inbox preview text; empty for none. */
  preheader: string;
  bodyMarkdown: string;
  /** Shows "Advertisement" in the footer of every copy (copies to people without express consent always show it). */
  advertisementLabel: boolean;
  /** The topic's name, as the footer's reason names it. */
  topicName: string;
};

export const SUBJECT_MAX_LENGTH = 200;
/** React Email's <Preview> shows no more than this. */
export const PREHEADER_MAX_LENGTH = 150;
export const BODY_MAX_LENGTH = 100_000;

/** The unit is missing something every promotional email needs; `missing` names it for people. */
export class SenderFactsMissingError extends Error {
  name = "SenderFactsMissingError";
  constructor(
    unitName: string,
    readonly missing: string[],
  ) {
    super(`${unitName} cannot send campaigns yet: it needs ${missing.join(", ")}. Add them in the unit's settings.`);
  }
}

export type CampaignDraftProblem = { field: keyof CampaignDraft; message: string };

export class InvalidCampaignDraftError extends Error {
  name = "InvalidCampaignDraftError";
  constructor(readonly problems: CampaignDraftProblem[]) {
    super(`The campaign cannot be sent: ${problems.map((problem) => problem.message).join(" ")}`);
  }
}

/** Everything wrong with a draft, one message per problem, each naming its field. [] when it can be sent. */
export function validateCampaignDraft(draft: CampaignDraft): CampaignDraftProblem[] {
  const problems: CampaignDraftProblem[] = [];
  const problem = (field: keyof CampaignDraft, message: string) => problems.push({ field, message });
  const length = (value: string) => [...value].length;

  if (!draft.subject.trim()) problem("subject", "Write a subject line.");
  else if (/[\r\n]/.test(draft.subject)) problem("subject", "The subject must be one line: remove the line break.");
  else if (CONTROL_CHARACTER.test(draft.subject)) problem("subject", "The subject contains an invisible control character: retype it.");
  else if (length(draft.subject) > SUBJECT_MAX_LENGTH) {
    problem("subject", `Shorten the subject to ${SUBJECT_MAX_LENGTH} characters or fewer (it has ${length(draft.subject)}).`);
  }

  if (/[\r\n]/.test(draft.preheader)) problem("preheader", "The preheader must be one line: remove the line break.");
  else if (CONTROL_CHARACTER.test(draft.preheader)) problem("preheader", "The preheader contains an invisible control character: retype it.");
  else if (length(draft.preheader) > PREHEADER_MAX_LENGTH) {
    problem("preheader", `Shorten the preheader to ${PREHEADER_MAX_LENGTH} characters or fewer (it has ${length(draft.preheader)}); inboxes show no more.`);
  }

  if (!draft.bodyMarkdown.trim()) problem("bodyMarkdown", "Write the message.");
  else if (draft.bodyMarkdown.length > BODY_MAX_LENGTH) {
    problem("bodyMarkdown", `Shorten the message to ${BODY_MAX_LENGTH.toLocaleString("en")} characters or fewer.`);
  } else if (isBlankCampaignHtml(campaignMarkdownToHtml(draft.bodyMarkdown))) {
    problem("bodyMarkdown", "Nothing in the message can be shown: links and images need http(s) addresses.");
  }

  if (!draft.topicName.trim()) problem("topicName", "Choose a topic.");

  // An unknown or unclosed merge field would reach people as typed: refused like any other fault.
  for (const field of ["subject", "preheader", "bodyMarkdown"] as const) {
    for (const message of mergeFieldProblems(draft[field])) problem(field, message);
  }
  return problems;
}

// C0 controls (tab included) and DEL: nothing a subject line should carry.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** The unit as a campaign's message names it: its sending facts, and the slug its List-Id and Feedback-ID carry. */
export type CampaignSendingUnit = SendingUnitFacts & { slug: string };

/** Which list the campaign goes to: List-Id names the unit's topic, Feedback-ID the campaign, topic and unit. */
export type CampaignList = { campaignId: number; topic: { id: number; slug: string } };

/** One form of a campaign's email, rendered once, its parts also Quoted-Printable-encoded once. */
export type PreparedCampaignForm = {
  readonly email: PreparedPromotionalEmail;
  /** The same parts, Quoted-Printable-encoded once: each recipient's copy encodes only its values. */
  readonly encoded: { readonly text: EncodedPart; readonly html: EncodedPart };
};

/** The form with the "Advertisement" label, and the one without (the same form when the marketer labelled every copy), in one language. */
export type PreparedCampaignForms = { readonly labelled: PreparedCampaignForm; readonly unlabelled: PreparedCampaignForm };

/** A campaign's message rendered once, with the sender's headers; personalize() makes each recipient's copy. */
export type PreparedCampaignMessage = {
  /** Both forms in every language the footer is written in. */
  readonly forms: Readonly<Record<Language, PreparedCampaignForms>>;
  /** The marketer's choice: every copy says "Advertisement". */
  readonly markedAsAdvertisement: boolean;
  /** The names the footer's reason gives: the topic's and the unit's. */
  readonly reasonNames: { readonly topicName: string; readonly unitName: string };
  /** The whole message around those parts, built once: each copy fills in its recipient's fields. Null when the subject has merge fields (each copy's subject differs). */
  readonly frame: MessageFrame | null;
  /** The merge fields' slots and their tags (ADR 054); empty when the marketer used none. */
  readonly mergeTags: ReadonlyMap<string, MergeTag>;
  readonly from: { name: string; address: string };
  readonly replyTo?: string;
  readonly messageIdDomain: string;
  readonly dkim?: UnitDkim;
  /** The header fields every copy carries as they are: List-Id, List-Unsubscribe-Post, Feedback-ID. */
  readonly fixedHeaders: { readonly listId: string; readonly feedbackId: string };
};

/** Checks the draft and the unit, then renders the message once. Throws InvalidCampaignDraftError or SenderFactsMissingError. */
export async function prepareCampaignMessage(draft: CampaignDraft, unit: CampaignSendingUnit, list: CampaignList): Promise<PreparedCampaignMessage> {
  const problems = validateCampaignDraft(draft);
  if (problems.length > 0) throw new InvalidCampaignDraftError(problems);
  const merge = mergeSlotsOf(draft);
  const forms = {} as Record<Language, PreparedCampaignForms>;
  for (const language of LANGUAGES) {
    const labelled = prepareForm(await renderOnce(merge, unit, true, language));
    const unlabelled = draft.advertisementLabel ? labelled : prepareForm(await renderOnce(merge, unit, false, language));
    forms[language] = { labelled, unlabelled };
  }
  const subject = forms[DEFAULT_LANGUAGE].labelled.email;
  const dkim = unitDkim(unit);
  const from = { name: unit.fromName, address: unit.fromEmail };
  const replyTo = unit.replyTo || undefined;
  const fixedHeaders = {
    listId: listIdHeader({ name: `${draft.topicName.trim()} from ${unit.displayName.trim()}`, labels: [list.topic.slug, unit.slug], domain: unit.sendingDomain }),
    feedbackId: feedbackIdHeader([`c${list.campaignId}`, `t${list.topic.id}`, unit.slug]),
  };
  // Only List-Unsubscribe differs per recipient; the rest is written into the frame once.
  const headers = [
    ["List-Id", fixedHeaders.listId],
    [LIST_UNSUBSCRIBE, null],
    [LIST_UNSUBSCRIBE_POST, ONE_CLICK],
    ["Feedback-ID", fixedHeaders.feedbackId],
  ] as const;
  return {
    forms,
    markedAsAdvertisement: draft.advertisementLabel,
    reasonNames: { topicName: draft.topicName, unitName: unit.displayName },
    // The subject is the marketer's: the same in every form and language, unless it names the recipient.
    frame: subject.subjectParts.length === 1 ? await buildMessageFrame({ from, replyTo, subject: subject.subject, headers }) : null,
    mergeTags: merge.tags,
    from,
    ...(replyTo ? { replyTo } : {}),
    messageIdDomain: unit.sendingDomain,
    ...(dkim ? { dkim } : {}),
    fixedHeaders,
  };
}

function prepareForm(email: PreparedPromotionalEmail): PreparedCampaignForm {
  return { email, encoded: { text: encodeSlottedPart(email.text, "text/plain"), html: encodeSlottedPart(email.html, "text/html") } };
}

/** The campaign's email rendered once, with or without the label, its footer in `language`, with a slot for each recipient's values. Throws SenderFactsMissingError. */
async function renderOnce(merge: MergeSlots, unit: SendingUnitFacts, advertisement: boolean, language: Language): Promise<PreparedPromotionalEmail> {
  const missing = missingSenderFacts(unit);
  if (missing.length > 0) throw new SenderFactsMissingError(unit.displayName, missing);
  return preparePromotional(
    "campaign",
    campaignContent(merge.draft, unit),
    { unit: unitIdentity(unit), footer: { advertisement }, language },
    { prefix: merge.prefix, slots: merge.slots },
  );
}

/** The draft with a placeholder where each merge field was, and each field's slot. */
type MergeSlots = { draft: CampaignDraft; prefix: string; slots: ReadonlyMap<string, string>; tags: ReadonlyMap<string, MergeTag> };

function mergeSlotsOf(draft: CampaignDraft): MergeSlots {
  // Letters and digits only, so Markdown and the plain-text conversion leave it whole; random, so no text can pass for one.
  const prefix = `mf${globalThis.crypto.randomUUID().replaceAll("-", "")}`;
  const slots = new Map<string, string>();
  const tags = new Map<string, MergeTag>();
  const withPlaceholders = (text: string) =>
    parseMergeFields(text)
      .template.map((piece) => {
        if (typeof piece === "string") return piece;
        const slot = `merge${tags.size}`;
        const placeholder = `${prefix}n${tags.size}x`;
        slots.set(placeholder, slot);
        tags.set(slot, piece);
        // The space stays in the text (Markdown's emphasis depends on it); the split gives it to the slot.
        return `${piece.spaceBefore ? " " : ""}${placeholder}`;
      })
      .join("");
  if (!/\{\{/.test(draft.subject + draft.preheader + draft.bodyMarkdown)) return { draft, prefix, slots, tags };
  return {
    draft: { ...draft, subject: withPlaceholders(draft.subject), preheader: withPlaceholders(draft.preheader), bodyMarkdown: withPlaceholders(draft.bodyMarkdown) },
    prefix,
    slots,
    tags,
  };
}

/** The footer's values with this copy's merge fields added: escaped for the HTML, verbatim (one line) in the text and subject. */
function withMergeValues(values: SlotValues, tags: ReadonlyMap<string, MergeTag>, facts: MergeValues): SlotValues {
  if (tags.size === 0) return values;
  const html: Record<string, string> = { ...values.html };
  const text: Record<string, string> = { ...values.text };
  for (const [slot, tag] of tags) {
    const value = mergeValue({ ...tag, spaceBefore: false }, facts);
    text[slot] = value;
    text[spacedSlot(slot)] = value ? ` ${value}` : "";
    html[slot] = escapeHtml(value);
    html[spacedSlot(slot)] = value ? ` ${html[slot]}` : "";
  }
  return { html, text };
}

/** The body as the email shows it: sanitised HTML, links in the unit's link colour. */
export function campaignContent(draft: Pick<CampaignDraft, "subject" | "preheader" | "bodyMarkdown">, unit: Pick<SendingUnitFacts, "brandColor">): CampaignContent {
  return {
    subject: draft.subject,
    preheader: draft.preheader,
    bodyHtml: campaignMarkdownToHtml(draft.bodyMarkdown, { linkColor: brandColors(unit.brandColor).link }),
  };
}

export type CampaignRecipient = {
  email: string;
  /** Contact.name, for the {{name}} and {{first_name}} merge fields; null or absent: their fallback. */
  name?: string | null;
  /** The signed /u/<token> URL: shown in the footer and sent as List-Unsubscribe. */
  unsubscribeUrl: string;
  /** The delivery's signed unsubscribe address, offered as List-Unsubscribe's mailto: (a test message to staff has none). */
  mailtoUnsubscribe?: string;
  /** The delivery's signed envelope sender, where its bounces come back (a test message has none: its From). */
  returnPath?: string;
  preferencesUrl: string;
  /** The consent record of the subscription the campaign reaches them through: the footer's reason and label follow it. */
  consent: RecipientConsent;
  /** The footer's language (Contact.locale's); English when not given. */
  language?: Language;
  /** Their IANA time zone (Contact.timeZone) for the reason's day; UTC when null or not given. */
  timeZone?: string | null;
};

const LIST_UNSUBSCRIBE = "List-Unsubscribe";
const LIST_UNSUBSCRIBE_POST = "List-Unsubscribe-Post";
const ONE_CLICK = "List-Unsubscribe=One-Click";

/** One recipient's message, ready for the promotional transport. Synchronous and cheap: no rendering. */
export function personalize(prepared: PreparedCampaignMessage, recipient: CampaignRecipient): OutgoingMail {
  // The same URL goes into a header, where only printable ASCII can go unencoded.
  if (!PRINTABLE_ASCII.test(recipient.unsubscribeUrl)) {
    throw new TemplateContextError(`The unsubscribe URL must be printable ASCII for List-Unsubscribe, got "${recipient.unsubscribeUrl}".`);
  }
  if (recipient.mailtoUnsubscribe !== undefined && !PRINTABLE_ASCII.test(recipient.mailtoUnsubscribe)) {
    throw new TemplateContextError(`The unsubscribe address must be printable ASCII for List-Unsubscribe, got "${recipient.mailtoUnsubscribe}".`);
  }
  // RFC 2369: the methods in order of preference; the https link is the one RFC 8058's one-click uses.
  const listUnsubscribe = recipient.mailtoUnsubscribe
    ? `<${recipient.unsubscribeUrl}>, <mailto:${recipient.mailtoUnsubscribe}?subject=unsubscribe>`
    : `<${recipient.unsubscribeUrl}>`;
  const language = recipient.language ?? DEFAULT_LANGUAGE;
  const forms = prepared.forms[language];
  const form = showsAdvertisementLabel(recipient.consent.basis, prepared.markedAsAdvertisement) ? forms.labelled : forms.unlabelled;
  const reason = consentReason({ ...prepared.reasonNames, ...recipient.consent, language, timeZone: recipient.timeZone ?? null });
  const values = withMergeValues(recipientSlotValues({ ...recipient, reason }), prepared.mergeTags, { name: recipient.name, unit: prepared.reasonNames.unitName });
  const { subject, html, text } = fillPromotional(form.email, values);
  return {
    stream: "promotional",
    from: prepared.from,
    to: recipient.email,
    ...(recipient.returnPath ? { returnPath: recipient.returnPath } : {}),
    ...(prepared.replyTo ? { replyTo: prepared.replyTo } : {}),
    subject,
    html,
    text,
    // RFC 2369 and RFC 8058: the one-click unsubscribe a mailbox provider offers next to the sender's name.
    // In the frame's order (prepareCampaignMessage).
    headers: {
      "List-Id": prepared.fixedHeaders.listId,
      [LIST_UNSUBSCRIBE]: listUnsubscribe,
      [LIST_UNSUBSCRIBE_POST]: ONE_CLICK,
      "Feedback-ID": prepared.fixedHeaders.feedbackId,
    },
    messageIdDomain: prepared.messageIdDomain,
    ...(prepared.dkim ? { dkim: prepared.dkim } : {}),
    encodedParts: { text: fillEncodedPart(form.encoded.text, values.text), html: fillEncodedPart(form.encoded.html, values.html) },
    ...(prepared.frame ? { frame: prepared.frame } : {}),
  };
}

/**
 * Who the composer's preview shows the email to: a subscriber who gave express consent today,
 * the recipient a marketer has in mind. The others' copies differ only in the footer's reason
 * and, unless the marketer labelled every copy, the "Advertisement" label (the composer says so).
 */
const PREVIEW_CONSENT_BASIS = "EXPRESS";

/**
 * The composer's live preview: the real email, through the same render-once-and-fill path as a
 * send, for a sample recipient (PREVIEW_CONSENT_BASIS unless `sample` gives a consent). Works on
 * an unfinished draft; throws SenderFactsMissingError when the unit cannot send (the composer
 * shows missingSenderFacts instead).
 */
export async function renderCampaignPreview(
  draft: CampaignDraft,
  unit: SendingUnitFacts,
  sample: Partial<CampaignRecipient> = {},
): Promise<RenderedEmail> {
  const consent = sample.consent ?? { basis: PREVIEW_CONSENT_BASIS, consentedAt: new Date() };
  const language = sample.language ?? DEFAULT_LANGUAGE;
  const merge = mergeSlotsOf(draft);
  const email = await renderOnce(merge, unit, showsAdvertisementLabel(consent.basis, draft.advertisementLabel), language);
  const publicUrl = getEnv().PUBLIC_URL;
  const footer = recipientSlotValues({
    // Not a token: the preview's links must not unsubscribe anyone.
    unsubscribeUrl: sample.unsubscribeUrl ?? `${publicUrl}/u/preview`,
    preferencesUrl: sample.preferencesUrl ?? `${publicUrl}/preferences`,
    reason: consentReason({ topicName: draft.topicName || "this topic", unitName: unit.displayName, ...consent, language, timeZone: sample.timeZone ?? null }),
  });
  return fillPromotional(email, withMergeValues(footer, merge.tags, { name: sample.name, unit: unit.displayName }));
}

function unitIdentity(unit: SendingUnitFacts): UnitIdentity {
  // missingSenderFacts() has checked that both are there.
  return { ...unit, legalName: unit.legalName!, postalAddress: unit.postalAddress! };
}
