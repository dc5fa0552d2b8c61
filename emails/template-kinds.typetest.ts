// Checked by `tsc --noEmit` only (never run): each @ts-expect-error below must stay an error,
// so these lines fail the typecheck the day the two kinds of template can be mixed up.

import type { ComponentProps } from "react";
import type { PromotionalFooter, PromotionalLayout, TransactionalFooter, TransactionalLayout } from "./components/index.ts";
import { PREVIEW_PREFERENCES_URL, PREVIEW_UNIT } from "./components/index.ts";
import { promotionalTemplates, type PromotionalTemplateName } from "./promotional/index.ts";
import { trustSanitizedHtml } from "./promotional/campaign.tsx";
import { renderPromotional, renderTransactional } from "./render.tsx";
import type { PromotionalTemplate, TransactionalTemplate } from "./template-kinds.ts";
import { transactionalTemplates, type TransactionalTemplateName } from "./transactional/index.ts";

const transactionalContext = { unit: PREVIEW_UNIT, categoryReason: "Because.", preferencesUrl: PREVIEW_PREFERENCES_URL };
const promotionalContext = {
  unit: PREVIEW_UNIT,
  footer: { reason: "You subscribed.", unsubscribeUrl: "https://p.example.com/u/t", preferencesUrl: PREVIEW_PREFERENCES_URL },
};
const content = { subject: "Hi", preheader: "", bodyHtml: trustSanitizedHtml("<p>Hi</p>") };

export function neverCalled() {
  // The right kind to the right function compiles.
  void renderTransactional("renewal-notice", {}, transactionalContext);
  void renderPromotional("campaign", content, promotionalContext);

  // @ts-expect-error a promotional template cannot be rendered as transactional mail
  void renderTransactional("campaign", content, transactionalContext);
  // @ts-expect-error a transactional template cannot be rendered as promotional mail
  void renderPromotional("renewal-notice", content, promotionalContext);
  // @ts-expect-error renderPromotional needs the promotional footer
  void renderPromotional("campaign", content, transactionalContext);

  // @ts-expect-error a promotional template is not a transactional one
  const asTransactional: TransactionalTemplate<unknown> = promotionalTemplates.campaign;
  // @ts-expect-error a transactional template is not a promotional one
  const asPromotional: PromotionalTemplate<unknown> = transactionalTemplates["renewal-notice"];

  // @ts-expect-error raw HTML is not sanitized HTML
  void renderPromotional("campaign", { ...content, bodyHtml: "<p>Hi</p>" }, promotionalContext);

  return [asTransactional, asPromotional];
}

// @ts-expect-error the promotional layout requires its footer
export const layoutWithoutFooter: ComponentProps<typeof PromotionalLayout> = { unit: PREVIEW_UNIT, title: "Hi", children: null };

// @ts-expect-error the promotional footer requires an unsubscribe link
export const footerWithoutUnsubscribe: ComponentProps<typeof PromotionalFooter> = {
  unit: PREVIEW_UNIT,
  reason: "You subscribed.",
  preferencesUrl: PREVIEW_PREFERENCES_URL,
};

export const transactionalFooter: ComponentProps<typeof TransactionalFooter> = {
  unit: PREVIEW_UNIT,
  categoryReason: "Because.",
  preferencesUrl: PREVIEW_PREFERENCES_URL,
  // @ts-expect-error the transactional footer has no unsubscribe link
  unsubscribeUrl: "https://p.example.com/u/t",
};

export const transactionalLayoutFooter: ComponentProps<typeof TransactionalLayout>["footer"] = {
  categoryReason: "Because.",
  preferencesUrl: PREVIEW_PREFERENCES_URL,
  // @ts-expect-error nor does the transactional layout's footer
  unsubscribeUrl: "https://p.example.com/u/t",
};

// No name is both kinds, so a name alone says which function renders it.
type SharedNames = Extract<TransactionalTemplateName, PromotionalTemplateName>;
export const noSharedNames: [SharedNames] extends [never] ? true : false = true;
