import type { Translation } from "../types.ts";
import type { account as english } from "../en/account.ts";

export const account: Translation<typeof english> = {
  newPasswordHint: "Mindestens 12 Zeichen. Einige Wörter, die nichts miteinander zu tun haben, eignen sich gut; verwenden Sie nicht Ihre E-Mail-Adresse.",
  linkProblem: {
    used: "Dieser Link wurde bereits verwendet. Jeder Link funktioniert nur einmal.",
    expired: "Dieser Link ist abgelaufen. Links in unseren E-Mails sind nur kurze Zeit gültig, damit Ihr Konto geschützt bleibt.",
    unknown: "Der Link wurde möglicherweise auf dem Weg zu Ihnen gekürzt oder verändert.",
  },
  password: "Passwort",
  login: {
    title: "Anmelden — Preference Center",
    heading: "Anmelden",
    lede: "Verwalten Sie die E-Mails, die Sie von unseren Marken erhalten, und Ihr Konto.",
    signedOut: "Sie sind abgemeldet.",
    signedOutEverywhere: "Sie sind auf allen Geräten abgemeldet.",
    linkSent: "<strong>Sehen Sie in Ihrem Posteingang nach.</strong> Falls es ein Konto für {{email}} gibt, ist ein Anmeldelink unterwegs. Er funktioniert einmal, {{minutes}} Minuten lang.",
    submit: "Anmelden",
    forgot: "Passwort vergessen?",
    or: "oder ohne Passwort",
    emailLink: "Anmeldelink per E-Mail senden",
    newHere: "Neu hier? <signup>Legen Sie ein Konto an</signup>, um alle Ihre E-Mail-Einstellungen an einem Ort zu verwalten.",
  },
  confirmSignUp: {
    title: "Adresse bestätigen — Preference Center",
    heading: "Bestätigen Sie Ihre Adresse",
    lede: "Ein letzter Schritt für <strong>{{email}}</strong>: Geben Sie das Passwort ein, das Sie bei der Registrierung gewählt haben.",
    submit: "Bestätigen und anmelden",
    again: "Erneut registrieren",
  },
  signup: {
    title: "Konto anlegen — Preference Center",
    heading: "Konto anlegen",
    lede: "Sehen und ändern Sie an einem Ort alles, was unsere Marken Ihnen senden.",
    name: "Name",
    submit: "Konto anlegen",
    haveAccount: "Sie haben bereits ein Konto? <login>Anmelden</login>",
    inbox: "Sehen Sie in Ihrem Posteingang nach",
    sent: "Wir haben eine E-Mail an <strong>{{email}}</strong> gesendet. Öffnen Sie den Link darin und geben Sie Ihr Passwort ein, um Ihr Konto fertig anzulegen. Der Link ist {{hours}} Stunden gültig.",
    nothing: "Falls in einigen Minuten nichts ankommt, sehen Sie in Ihrem Spam-Ordner nach oder <again>versuchen Sie es erneut</again>.",
  },
};
