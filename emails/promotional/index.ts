import type { PromotionalTemplate } from "../template-kinds.ts";
import { campaign } from "./campaign.tsx";

/** Every promotional template by name. Names never repeat a transactional one. */
export const promotionalTemplates = {
  campaign,
  // `any`: each entry keeps its own content type; `satisfies` checks the shape without widening it.
} satisfies Record<string, PromotionalTemplate<any>>;

export type PromotionalTemplateName = keyof typeof promotionalTemplates;

export type PromotionalContent<Name extends PromotionalTemplateName> =
  (typeof promotionalTemplates)[Name] extends PromotionalTemplate<infer Content> ? Content : never;
