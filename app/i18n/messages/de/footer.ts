import type { Translation } from "../types.ts";
import type { footer as english } from "../en/footer.ts";

export const footer: Translation<typeof english> = {
  advertisement: "Werbung",
  unsubscribe: "Abmelden",
  preferences: "E-Mail-Einstellungen verwalten",
  reason: {
    EXPRESS: "Sie haben {{topic}} von {{unit}} am {{day}} abonniert.",
    IMPLIED_PURCHASE: "Sie erhalten {{topic}} als Kundin oder Kunde von {{unit}}: Sie haben dort am {{day}} eingekauft.",
    IMPLIED_INQUIRY: "Sie erhalten {{topic}}, weil Sie sich am {{day}} bei {{unit}} nach Produkten oder Leistungen erkundigt haben.",
    SOFT_OPT_IN: "Sie erhalten {{topic}} als Kundin oder Kunde von {{unit}}: Sie konnten widersprechen, als Sie uns am {{day}} Ihre E-Mail-Adresse gaben.",
    LEGITIMATE_INTEREST: "Sie erhalten {{topic}}, weil Sie bereits mit {{unit}} zu tun hatten, nicht weil Sie sich angemeldet haben.",
  },
};
