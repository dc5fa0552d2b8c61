import type { UnitIdentity } from "./unit-identity.ts";

// What templates show when rendered with no props (the React Email preview, tests).
// Mirrors the demo unit "Example Tax" in prisma/demo-data.ts.

export const PREVIEW_UNIT: UnitIdentity = {
  displayName: "Example Tax",
  legalName: "Example Tax Services Ltd",
  postalAddress: "12 Ledger Lane, Suite 400, Springfield, EX1 2TX",
  contactEmail: "help@tax.example.com",
  contactPhone: "+1 555 0100",
  contactUrl: "https://tax.example.com/contact",
  brandColor: "#1f6f4a",
  logoUrl: null,
};

export const PREVIEW_PREFERENCES_URL = "https://preferences.example.com/preferences";

/** The reasons people are shown for each exempt category, as in the demo data. */
export const PREVIEW_CATEGORY_REASONS = {
  "preference-link": "You asked for a link to manage your email preferences.",
  "sign-in-link": "You asked for a link to sign in to your account.",
  "sign-up-confirmation": "You signed up for an account, and we must confirm that this address is yours.",
  "account-alert": "We warn you about sign-ins and changes to your account to keep it safe.",
  "account-security": "We confirm changes to how you sign in, so that nobody can change them without you knowing.",
  "staff-invite": "An administrator invited you to work in the Preference Center.",
  "staff-alert": "You are an administrator of the Preference Center, and sending stopped on its own.",
  "security-alert": "We warn you about sign-ins and changes to your account to keep it safe.",
  renewal: "You need to know before a subscription or policy you hold renews or ends.",
  "tax-compliance": "The law requires us to send you tax documents and compliance notices about your account.",
  "policy-change":
    "We tell you about significant changes to our terms or privacy policy at least 30 days before they take effect.",
} as const;
