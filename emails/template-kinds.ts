import type { ComponentType } from "react";
import type { z } from "zod";
import type { Language } from "../app/i18n/languages.ts";
import type { MailLanguage, PromotionalFooterProps, UnitIdentity } from "./components/index.ts";

// Two kinds of template that never mix: a transactional template has no unsubscribe link and
// is sent under an exempt category; a promotional one must carry the promotional footer.
// The `kind` field makes each type reject the other (see template-kinds.typetest.ts).

/** What the transactional send path knows besides the template's own data. */
export type TransactionalContext = {
  unit: UnitIdentity;
  /** The language the message is written in (its <html lang>): the recipient's; English when not given. */
  language?: Language;
  /** The recipient's IANA time zone for the dates in it; null or not given: UTC. */
  timeZone?: string | null;
  /** The exempt category's reason, shown in the footer. */
  categoryReason: string;
  preferencesUrl: string;
};

export type TransactionalEmailProps<Data> = Omit<TransactionalContext, "language" | "timeZone"> & { data: Data };

export type TransactionalTemplate<Data> = {
  readonly kind: "transactional";
  /** Slugs of the exempt categories this template may be sent under. */
  readonly categories: readonly string[];
  /** Validates caller data; issues carry the field's path. Parsing its own output gives the same output. */
  readonly schema: z.ZodType<Data>;
  /** In the message's language (`mail`), as the body is. */
  readonly subject: (data: Data, unit: UnitIdentity, mail: MailLanguage) => string;
  readonly Component: ComponentType<TransactionalEmailProps<Data>>;
  /** Sample data: the component's default, for previews and tests. */
  readonly previewData: Data;
  /** Data fields that open something (sign-in, reset, preference links): not kept once the message is sent. */
  readonly secretFields?: readonly string[];
};

export function defineTransactionalTemplate<Data>(template: Omit<TransactionalTemplate<Data>, "kind">): TransactionalTemplate<Data> {
  return { kind: "transactional", ...template };
}

/** What the campaign sender knows besides the template's content. */
export type PromotionalContext = {
  unit: UnitIdentity;
  footer: PromotionalFooterProps;
  /** The campaign's language for <html lang> (BCP 47): the marketer's words; "en" when not given. */
  lang?: string;
  /** The recipient's language: the footer (the product's words) is written in it; English when not given. */
  language?: Language;
};

export type PromotionalEmailProps<Content> = Omit<PromotionalContext, "lang" | "language"> & { content: Content };

export type PromotionalTemplate<Content> = {
  readonly kind: "promotional";
  readonly subject: (content: Content, unit: UnitIdentity) => string;
  readonly Component: ComponentType<PromotionalEmailProps<Content>>;
  /** Sample content: the component's default, for previews and tests. */
  readonly previewContent: Content;
};

export function definePromotionalTemplate<Content>(template: Omit<PromotionalTemplate<Content>, "kind">): PromotionalTemplate<Content> {
  return { kind: "promotional", ...template };
}
