import type { Translation } from "../types.ts";
import type { account as english } from "../en/account.ts";

export const account: Translation<typeof english> = {
  newPasswordHint: "Mindestens 12 Zeichen. Einige Wörter, die nichts miteinander zu tun haben, eignen sich gut; verwenden Sie nicht Ihre E-Mail-Adresse.",
  linkProblem: {
    used: "Dieser Link wurde bereits verwendet. Jeder Link funktioniert nur einmal.",
    expired: "Dieser Link ist abgelaufen. Links in unseren E-Mails sind nur kurze Zeit gültig, damit Ihr Konto geschützt bleibt.",
    unknown: "Der Link wurde möglicherweise auf dem Weg zu Ihnen gekürzt oder verändert.",
  },
};
