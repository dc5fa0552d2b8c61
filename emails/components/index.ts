export { ActionButton, Details, Greeting, Paragraph, WithStrong } from "./elements.tsx";
export { formatDate, formatDateTime, formatDayOf, formatLifetime, formatMinutes } from "./format.ts";
export { mailLanguage, MessageLanguage, type MailLanguage } from "./mail-language.ts";
export { PREVIEW_CATEGORY_REASONS, PREVIEW_PREFERENCES_URL, PREVIEW_UNIT } from "./preview-data.ts";
export {
  PromotionalFooter,
  PromotionalLayout,
  type PromotionalFooterProps,
  type PromotionalLayoutProps,
} from "./promotional-layout.tsx";
export { bodyText, brandColors, COLORS, contrastRatio, FONT_STACK, type BrandColors } from "./theme.ts";
export {
  TransactionalFooter,
  TransactionalLayout,
  type TransactionalFooterProps,
  type TransactionalLayoutProps,
} from "./transactional-layout.tsx";
export {
  assertSendableIdentity,
  contactMethods,
  IncompleteUnitIdentityError,
  isWebUrl,
  missingIdentityFacts,
  type ContactMethod,
  type DraftUnitIdentity,
  type UnitIdentity,
} from "./unit-identity.ts";
