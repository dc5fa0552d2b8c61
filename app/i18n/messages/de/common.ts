import type { Translation } from "../types.ts";
import type { common as english } from "../en/common.ts";

export const common: Translation<typeof english> = {
  language: {
    label: "Sprache",
    change: "Sprache ändern",
  },
  signOut: "Abmelden",
  history: "Verlauf",
  account: "Konto",
  preferences: "Einstellungen",
};
