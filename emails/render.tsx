import type { ReactElement } from "react";
import { render, toPlainText } from "@react-email/render";
import type { z } from "zod";
import { assertSendableIdentity, isWebUrl, type PromotionalFooterProps } from "./components/index.ts";
import { HtmlLanguage, mailLanguage, MessageLanguage, type MailLanguage } from "./components/mail-language.ts";
import { promotionalTemplates, type PromotionalContent, type PromotionalTemplateName } from "./promotional/index.ts";
import type { PromotionalContext, PromotionalTemplate, TransactionalContext, TransactionalTemplate } from "./template-kinds.ts";
import { transactionalTemplates, type TransactionalTemplateName } from "./transactional/index.ts";

// Server-side rendering of both kinds of mail to subject, HTML and plain text. Imports no
// Prisma and nothing Node-only beyond what @react-email/render needs.

export type RenderedEmail = { subject: string; html: string; text: string };

export type { PromotionalContext, TransactionalContext } from "./template-kinds.ts";

/** The data given to a template does not fit its schema; `problems` name the fields. */
export class TemplateDataError extends Error {
  name = "TemplateDataError";
  constructor(
    readonly template: string,
    readonly problems: string[],
  ) {
    super(`The data for the "${template}" template is not valid: ${problems.join("; ")}.`);
  }
}

/** A template name of the other kind, or of no kind: a bug in the caller. */
export class TemplateKindError extends Error {
  name = "TemplateKindError";
}

/** A link or sentence the footer needs is missing or unusable: a bug in the caller. */
export class TemplateContextError extends Error {
  name = "TemplateContextError";
}

/** "renewalDate: must be a date like 2026-05-03", one line per problem. */
export function describeDataProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
}

/**
 * Renders a service message. `data` has been validated by the send path already; it is parsed
 * again here because it may have waited in the queue, and the result is what the template gets.
 */
export async function renderTransactional(
  name: TransactionalTemplateName,
  data: unknown,
  context: TransactionalContext,
): Promise<RenderedEmail> {
  const template = findTemplate("transactional", name) as TransactionalTemplate<unknown>;
  assertSendableIdentity(context.unit);
  assertLink("preferencesUrl", context.preferencesUrl);
  if (!context.categoryReason.trim()) throw new TemplateContextError("categoryReason is empty: service mail says why it cannot be turned off.");
  const parsed = template.schema.safeParse(data);
  if (!parsed.success) throw new TemplateDataError(name, describeDataProblems(parsed.error));
  const { Component } = template;
  const { language, timeZone, ...props } = context;
  const mail = mailLanguage(language, timeZone ?? null);
  return renderParts(template.subject(parsed.data, context.unit, mail), <Component data={parsed.data} {...props} />, mail, mail.language);
}

/** Renders one promotional message for one recipient (the footer carries their links). */
export async function renderPromotional<Name extends PromotionalTemplateName>(
  name: Name,
  content: PromotionalContent<Name>,
  context: PromotionalContext,
): Promise<RenderedEmail> {
  const template = findTemplate("promotional", name) as PromotionalTemplate<PromotionalContent<Name>>;
  assertSendableIdentity(context.unit);
  assertRecipientFooter(context.footer);
  const { Component } = template;
  const footer = { ...context.footer, reason: oneSentence(context.footer.reason) };
  return renderParts(
    template.subject(content, context.unit),
    <Component content={content} unit={context.unit} footer={footer} />,
    mailLanguage(context.language),
    context.lang ?? "en",
  );
}

/** The footer values that differ from one recipient of a campaign to the next. */
export type RecipientFooter = Pick<PromotionalFooterProps, "reason" | "unsubscribeUrl" | "preferencesUrl">;
export type RecipientSlot = keyof RecipientFooter;

/**
 * One part of a message split where the recipient's values go: literal text at even indices,
 * the slot's name at odd ones.
 */
export type SlottedPart = readonly string[];

/** A promotional message rendered once for a whole campaign; personalizePromotional() fills in each recipient. */
export type PreparedPromotionalEmail = {
  readonly subject: string;
  /** The subject split at its merge fields' slots (one piece when it has none). */
  readonly subjectParts: SlottedPart;
  readonly html: SlottedPart;
  readonly text: SlottedPart;
};

/** A slot's values for one copy: footer slots and any merge-field slots, HTML-escaped for the HTML part. */
export type SlotValues = { readonly html: Readonly<Record<string, string>>; readonly text: Readonly<Record<string, string>> };

/** A merge field's slot: its name, and the same name for where the space before it went into the slot. */
export const spacedSlot = (slot: string) => `${slot}:spaced`;

/**
 * Renders a promotional message once with a placeholder for each per-recipient footer value.
 * Filling it in (about microseconds) gives exactly what renderPromotional() would give for
 * that recipient (milliseconds): the placeholders sit where only plain text and hrefs go,
 * outside <Preview>'s length-based padding, and the text part is never word-wrapped.
 */
export async function preparePromotional<Name extends PromotionalTemplateName>(
  name: Name,
  content: PromotionalContent<Name>,
  context: Pick<PromotionalContext, "unit" | "lang" | "language"> & { footer: Omit<PromotionalFooterProps, RecipientSlot> },
  /**
   * Placeholders the content already holds (merge fields) and their slots' names. Where the
   * rendered text has a space before one, the slot takes the space (spacedSlot()), so an
   * empty value leaves no double space.
   */
  contentSlots: { readonly prefix: string; readonly slots: ReadonlyMap<string, string> } = { prefix: "", slots: new Map() },
): Promise<PreparedPromotionalEmail> {
  // Random per message, so no body text or earlier value can pass for a placeholder.
  const nonce = globalThis.crypto.randomUUID().replaceAll("-", "");
  const placeholders: RecipientFooter = {
    unsubscribeUrl: `https://slot.invalid/${nonce}/unsubscribe`,
    preferencesUrl: `https://slot.invalid/${nonce}/preferences`,
    reason: `slot${nonce}reason`,
  };
  const rendered = await renderPromotional(name, content, { unit: context.unit, footer: { ...context.footer, ...placeholders }, lang: context.lang, language: context.language });
  const slotOf = new Map([...Object.entries(placeholders).map(([slot, placeholder]) => [placeholder, slot] as const), ...contentSlots.slots]);
  const escape = (placeholder: string) => placeholder.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const pattern = new RegExp([...slotOf.keys()].map(escape).join("|"), "g");
  // A merge field cut in half (the inbox preview's first line of a long body) shows nothing.
  const cutPlaceholder = contentSlots.prefix ? new RegExp(`${escape(contentSlots.prefix)}[a-z0-9]*`, "g") : null;
  const split = (part: string, partName: string | null): SlottedPart => {
    const pieces: string[] = [];
    let from = 0;
    for (const match of part.matchAll(pattern)) {
      let text = part.slice(from, match.index);
      let slot = slotOf.get(match[0])!;
      if (contentSlots.slots.has(match[0]) && text.endsWith(" ")) {
        text = text.slice(0, -1);
        slot = spacedSlot(slot);
      }
      pieces.push(text, slot);
      from = match.index + match[0].length;
    }
    pieces.push(part.slice(from));
    if (cutPlaceholder) for (let index = 0; index < pieces.length; index += 2) pieces[index] = pieces[index].replace(cutPlaceholder, "");
    if (partName === null) return pieces;
    const filled = new Set(pieces.filter((_, index) => index % 2 === 1));
    for (const slot of Object.keys(placeholders)) {
      // The footer facts are in both parts (invariant 8); a template that lost one is a bug.
      if (!filled.has(slot)) throw new TemplateContextError(`The "${name}" template does not show footer.${slot} in its ${partName} part.`);
    }
    return pieces;
  };
  return { subject: rendered.subject, subjectParts: split(rendered.subject, null), html: split(rendered.html, "HTML"), text: split(rendered.text, "plain-text") };
}

/** One recipient's message from a prepared one: their links and reason, escaped for HTML and verbatim in the text. */
export function personalizePromotional(prepared: PreparedPromotionalEmail, footer: RecipientFooter): RenderedEmail {
  return fillPromotional(prepared, recipientSlotValues(footer));
}

/** personalizePromotional() for values recipientSlotValues() already made (the sender also encodes them). */
export function fillPromotional(prepared: PreparedPromotionalEmail, values: SlotValues): RenderedEmail {
  const subject = prepared.subjectParts.length === 1 ? prepared.subject : fill(prepared.subjectParts, values.text);
  return { subject, html: fill(prepared.html, values.html), text: fill(prepared.text, values.text) };
}

/** What goes into each slot of each part for this recipient (HTML-escaped for the HTML part). */
export function recipientSlotValues(footer: RecipientFooter): { html: Record<RecipientSlot, string>; text: Record<RecipientSlot, string> } {
  const reason = assertRecipientFooter(footer);
  return {
    html: { unsubscribeUrl: escapeHtml(footer.unsubscribeUrl), preferencesUrl: escapeHtml(footer.preferencesUrl), reason: escapeHtml(reason) },
    text: { unsubscribeUrl: footer.unsubscribeUrl, preferencesUrl: footer.preferencesUrl, reason },
  };
}

function fill(part: SlottedPart, values: Readonly<Record<string, string>>): string {
  let result = part[0];
  for (let index = 1; index < part.length; index += 2) result += values[part[index]] + part[index + 1];
  return result;
}

// What React does to text and attribute values (escapeTextForBrowser), so a filled-in message
// equals a rendered one byte for byte.
const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}

/**
 * The reason is one line of text: runs of whitespace and control characters become one space,
 * as the plain-text conversion would make them anyway, so both parts say the same.
 */
function oneSentence(reason: string): string {
  return reason.replace(/[\s\u0000-\u001f\u007f\u200b]+/g, " ").trim();
}

/** Checks the footer's links and reason; returns the reason as one sentence. */
function assertRecipientFooter(footer: RecipientFooter): string {
  assertLink("footer.unsubscribeUrl", footer.unsubscribeUrl);
  assertLink("footer.preferencesUrl", footer.preferencesUrl);
  const reason = oneSentence(footer.reason);
  if (!reason) throw new TemplateContextError("footer.reason is empty: promotional mail says why the person gets it.");
  return reason;
}

const REGISTRIES = { transactional: transactionalTemplates, promotional: promotionalTemplates } as const;
type Kind = keyof typeof REGISTRIES;

// The types already keep the kinds apart; this catches names cast from strings (the queue
// stores them as text) and any entry filed in the wrong registry.
function findTemplate(kind: Kind, name: string): { kind: Kind } {
  const other: Kind = kind === "transactional" ? "promotional" : "transactional";
  const lookUp = (registry: Kind) =>
    Object.hasOwn(REGISTRIES[registry], name) ? (REGISTRIES[registry] as Record<string, { kind: Kind }>)[name] : undefined;
  const template = lookUp(kind);
  if (template?.kind === kind) return template;
  if (template || lookUp(other)) {
    throw new TemplateKindError(`"${name}" is a ${template?.kind ?? other} template; it cannot be rendered as ${kind} mail.`);
  }
  throw new TemplateKindError(`There is no ${kind} template "${name}".`);
}

function assertLink(field: string, url: string): void {
  if (!isWebUrl(url)) throw new TemplateContextError(`${field} must be an absolute http(s) URL, got "${url}".`);
}

const PLAIN_TEXT_OPTIONS = {
  formatters: {
    // An image is its alt text, in brackets; one without (decorative, such as the logo above the unit's name) is nothing.
    altText: (element: { attribs?: Record<string, string> }, _walk: unknown, builder: { addInline(text: string, options?: object): void }) => {
      const alt = element.attribs?.alt?.trim();
      if (alt) builder.addInline(`[${alt}]`, { noWordTransform: true });
    },
  },
  selectors: [
    { selector: "img", format: "altText" },
    // Headings keep their case (html-to-text upper-cases them by default).
    ...["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({ selector, options: { uppercase: false } })),
    // A phone number reads as itself, not followed by its tel: link.
    { selector: 'a[href^="tel:"]', format: "anchor", options: { ignoreHref: true } },
  ],
};

/** `mail`: the language of the product's words; `lang`: the <html lang> (a campaign's body is the marketer's). */
async function renderParts(subject: string, email: ReactElement, mail: MailLanguage, lang: string): Promise<RenderedEmail> {
  // Rendered once: the text part is converted from the same HTML (what render's plainText option does internally).
  const html = await render(
    <MessageLanguage.Provider value={mail}>
      <HtmlLanguage.Provider value={lang}>{email}</HtmlLanguage.Provider>
    </MessageLanguage.Provider>,
  );
  return { subject, html, text: toPlainText(html, PLAIN_TEXT_OPTIONS) };
}
