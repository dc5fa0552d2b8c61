// "Send me less" (ADR 043): the choices a person has per unit, in the product's words. EVERYTHING
// is the default and is stored as no FrequencyChoice row.

import type { Frequency } from "./eligibility.ts";

export type FrequencyOption = Frequency | "EVERYTHING";

export const FREQUENCY_OPTIONS: readonly FrequencyOption[] = ["EVERYTHING", "WEEKLY", "MONTHLY"];

/** As a choice: "Everything", "At most one email a week" … */
export const FREQUENCY_CHOICE_WORDS: Record<FrequencyOption, string> = {
  EVERYTHING: "Everything",
  WEEKLY: "At most one email a week",
  MONTHLY: "At most one email a month",
};

/** Within a sentence: "at most one promotional email a week". */
export const FREQUENCY_PHRASE: Record<FrequencyOption, string> = {
  EVERYTHING: "every promotional email",
  WEEKLY: "at most one promotional email a week",
  MONTHLY: "at most one promotional email a month",
};

export function isFrequencyOption(value: unknown): value is FrequencyOption {
  return typeof value === "string" && (FREQUENCY_OPTIONS as readonly string[]).includes(value);
}
