import type { Translation } from "../types.ts";
import type { common as english } from "../en/common.ts";

export const common: Translation<typeof english> = {
  language: {
    label: "Sprache",
    change: "Sprache ändern",
    invalid: "Bitte wählen Sie eine der angebotenen Sprachen.",
  },
  signOut: "Abmelden",
  history: "Verlauf",
  account: "Konto",
  yourAccount: "Ihr Konto",
  preferences: "Einstellungen",
  questions: "Fragen?",
  emailAddress: "E-Mail-Adresse",
  badLink: {
    title: "Dieser Link funktioniert nicht mehr",
    expired: "Links in unseren E-Mails sind nur eine Zeit lang gültig, damit Ihre Einstellungen geschützt bleiben.",
    broken: "Der Link wurde möglicherweise auf dem Weg zu Ihnen gekürzt oder verändert.",
    askAgain: "Geben Sie Ihre E-Mail-Adresse ein, und wir senden Ihnen einen neuen Link, mit dem Sie Ihre E-Mail-Einstellungen verwalten können.",
    send: "Neuen Link per E-Mail senden",
  },
  error: {
    notFound: "Seite nicht gefunden",
    failed: "Das hat leider nicht funktioniert",
    ourSide: "Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es gleich noch einmal.",
    home: "Zur Startseite",
  },
};
