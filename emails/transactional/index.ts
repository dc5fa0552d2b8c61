import type { TransactionalTemplate } from "../template-kinds.ts";
import { emailChangeVerification } from "./email-change-verification.tsx";
import { passwordReset } from "./password-reset.tsx";
import { policyChangeNotice } from "./policy-change-notice.tsx";
import { preferenceLink } from "./preference-link.tsx";
import { renewalNotice } from "./renewal-notice.tsx";
import { accountSecurityAlert, securityAlert } from "./security-alert.tsx";
import { sendingPaused } from "./sending-paused.tsx";
import { signInLink } from "./sign-in-link.tsx";
import { signUpConfirmation } from "./sign-up-confirmation.tsx";
import { staffInvite } from "./staff-invite.tsx";
import { taxNotice } from "./tax-notice.tsx";

/** Every transactional template by the name callers send it under. */
export const transactionalTemplates = {
  "preference-link": preferenceLink,
  "sign-in-link": signInLink,
  "sign-up-confirmation": signUpConfirmation,
  "password-reset": passwordReset,
  "email-change-verification": emailChangeVerification,
  "security-alert": securityAlert,
  "account-security-alert": accountSecurityAlert,
  "staff-invite": staffInvite,
  "renewal-notice": renewalNotice,
  "tax-notice": taxNotice,
  "policy-change-notice": policyChangeNotice,
  "sending-paused": sendingPaused,
  // `any`: each entry keeps its own data type; `satisfies` checks the shape without widening it.
} satisfies Record<string, TransactionalTemplate<any>>;

export type TransactionalTemplateName = keyof typeof transactionalTemplates;

/**
 * The templates whose every word is the product's, written in each language (ADR 047): they go in
 * the recipient's. The others carry a unit's own words (renewal, tax, policy notices) or go to
 * staff, and stay English throughout, frame included, rather than mix two languages.
 */
export const TEMPLATES_IN_EVERY_LANGUAGE: ReadonlySet<TransactionalTemplateName> = new Set<TransactionalTemplateName>([
  "sign-in-link",
  "sign-up-confirmation",
  "password-reset",
  "email-change-verification",
  "account-security-alert",
  "preference-link",
]);

/** The data a template takes, after its schema has parsed it. */
export type TransactionalData<Name extends TransactionalTemplateName> =
  (typeof transactionalTemplates)[Name] extends TransactionalTemplate<infer Data> ? Data : never;

export function isTransactionalTemplateName(name: string): name is TransactionalTemplateName {
  return Object.hasOwn(transactionalTemplates, name);
}
