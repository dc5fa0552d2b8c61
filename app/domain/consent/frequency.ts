// "Send me less" (ADR 043): the choices a person has per unit; their words are in the i18n messages. EVERYTHING
// is the default and is stored as no FrequencyChoice row.

import type { Frequency } from "./eligibility.ts";

export type FrequencyOption = Frequency | "EVERYTHING";

export const FREQUENCY_OPTIONS: readonly FrequencyOption[] = ["EVERYTHING", "WEEKLY", "MONTHLY"];

export function isFrequencyOption(value: unknown): value is FrequencyOption {
  return typeof value === "string" && (FREQUENCY_OPTIONS as readonly string[]).includes(value);
}
