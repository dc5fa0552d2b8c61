import type { ReactElement } from "react";
import { render, toPlainText } from "@react-email/render";
import type { z } from "zod";
import { assertSendableIdentity, isWebUrl } from "./components/index.ts";
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
  return renderParts(template.subject(parsed.data, context.unit), <Component data={parsed.data} {...context} />);
}

/** Renders one promotional message for one recipient (the footer carries their links). */
export async function renderPromotional<Name extends PromotionalTemplateName>(
  name: Name,
  content: PromotionalContent<Name>,
  context: PromotionalContext,
): Promise<RenderedEmail> {
  const template = findTemplate("promotional", name) as PromotionalTemplate<PromotionalContent<Name>>;
  assertSendableIdentity(context.unit);
  assertLink("footer.unsubscribeUrl", context.footer.unsubscribeUrl);
  assertLink("footer.preferencesUrl", context.footer.preferencesUrl);
  if (!context.footer.reason.trim()) throw new TemplateContextError("footer.reason is empty: promotional mail says why the person gets it.");
  const { Component } = template;
  return renderParts(template.subject(content, context.unit), <Component content={content} {...context} />);
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
  selectors: [
    // Headings keep their case (html-to-text upper-cases them by default).
    ...["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({ selector, options: { uppercase: false } })),
    // A phone number reads as itself, not followed by its tel: link.
    { selector: 'a[href^="tel:"]', format: "anchor", options: { ignoreHref: true } },
  ],
};

async function renderParts(subject: string, email: ReactElement): Promise<RenderedEmail> {
  // Rendered once: the text part is converted from the same HTML (what render's plainText option does internally).
  const html = await render(email);
  return { subject, html, text: toPlainText(html, PLAIN_TEXT_OPTIONS) };
}
