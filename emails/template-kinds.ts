import type { ComponentType } from "react";
import type { z } from "zod";
import type { PromotionalFooterProps, UnitIdentity } from "./components/index.ts";

// Two kinds of template that never mix: a transactional template has no unsubscribe link and
// is sent under an exempt category; a promotional one must carry the promotional footer.
// The `kind` field makes each type reject the other (see template-kinds.typetest.ts).

/** What the transactional send path knows besides the template's own data. */
export type TransactionalContext = {
  unit: UnitIdentity;
  /** The message's language for <html lang> (BCP 47); "en" when not given. */
  lang?: string;
  /** The exempt category's reason, shown in the footer. */
  categoryReason: string;
  preferencesUrl: string;
};

export type TransactionalEmailProps<Data> = Omit<TransactionalContext, "lang"> & { data: Data };

export type TransactionalTemplate<Data> = {
  readonly kind: "transactional";
  /** Slugs of the exempt categories this template may be sent under. */
  readonly categories: readonly string[];
  /** Validates caller data; issues carry the field's path. Parsing its own output gives the same output. */
  readonly schema: z.ZodType<Data>;
  readonly subject: (data: Data, unit: UnitIdentity) => string;
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
  /** The message's language for <html lang> (BCP 47); "en" when not given. */
  lang?: string;
};

export type PromotionalEmailProps<Content> = Omit<PromotionalContext, "lang"> & { content: Content };

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
