// The choices of the unsubscribe page. Not a .server module: the page's form schema is built
// from them when the route module loads, in the browser too.

export const UNSUBSCRIBE_CHOICES = ["topic", "unit", "everywhere", "less-weekly", "less-monthly", "pause-30", "pause-90"] as const;
export type UnsubscribeChoice = (typeof UNSUBSCRIBE_CHOICES)[number];

/** The optional "why?" after unsubscribing (ADR 043), in the order the page asks it. */
export const UNSUBSCRIBE_REASONS = ["TOO_MANY", "NOT_RELEVANT", "NEVER_SIGNED_UP", "OTHER"] as const;
export type UnsubscribeReason = (typeof UNSUBSCRIBE_REASONS)[number];

export const UNSUBSCRIBE_REASON_WORDS: Record<UnsubscribeReason, string> = {
  TOO_MANY: "Too many emails",
  NOT_RELEVANT: "Not relevant to me",
  NEVER_SIGNED_UP: "I never signed up",
  OTHER: "Another reason",
};
