import type { Translation } from "../types.ts";
import type { pages as english } from "../en/pages.ts";

export const pages: Translation<typeof english> = {
  channel: { EMAIL: "E-Mail", POSTAL: "Post", PHONE: "Telefon" },
  welcome: {
    title: "Wählen Sie, was Sie interessiert",
    heading: "Wählen Sie, was Sie interessiert",
    lede: "Ihr Konto ist eingerichtet. Kreuzen Sie an, worüber Sie von unseren Marken hören möchten. Sie können das jederzeit ändern.",
    save: "Meine Auswahl speichern",
    skip: "Vorerst überspringen",
  },
  history: {
    heading: "Ihr Einwilligungsverlauf",
    lede: "Jede Änderung dessen, was wir Ihnen senden dürfen, die neueste zuerst: wann sie erfolgte, wie und von welcher Adresse.",
    changes: "Änderungen",
    none: "Es sind noch keine Änderungen verzeichnet.",
    from: "von {{ip}}",
    pages: "Seiten",
    newer: "← Neuere",
    older: "Ältere →",
    page: "Seite {{page}} von {{pages}}",
  },
  link: {
    title: "Ihre E-Mail-Einstellungen",
    heading: "Ihre E-Mail-Einstellungen verwalten",
    lede: "Für <strong>{{email}}</strong>. Sie können ändern, was Ihnen jede unserer Marken per E-Mail, Post und Telefon sendet.",
    open: "Meine Einstellungen öffnen",
  },
  home: {
    manage: "Meine Einstellungen verwalten",
    lede: "Die Werbethemen, die jeder unserer Geschäftsbereiche anbietet, und die Servicenachrichten, die Sie immer erhalten.",
    empty: "Es sind noch keine Geschäftsbereiche eingerichtet.",
    topics: "Werbethemen",
    service: "Servicenachrichten, die Sie immer erhalten",
  },
  newLink: {
    title: "Neuen Link zu Ihren Einstellungen anfordern",
    heading: "Neuen Link anfordern",
    sent: "Falls diese Adresse in unseren Verteilern steht, ist ein neuer Link zu Ihren E-Mail-Einstellungen unterwegs. Es kann einige Minuten dauern, bis er ankommt.",
  },
};
