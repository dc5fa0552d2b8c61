import { useContext, type ReactNode } from "react";
import { HtmlLanguage, MessageLanguage } from "./mail-language.ts";
import { Text } from "@react-email/text";
import { EmailShell, FooterLink, UnitDetails } from "./email-shell.tsx";
import { brandColors, smallText } from "./theme.ts";
import { UnitHeader } from "./unit-header.tsx";
import type { UnitIdentity } from "./unit-identity.ts";

// Promotional mail may only be sent with this footer (docs/invariants.md, invariant 8): the layout takes
// it as a required prop, so a template cannot leave it out.

export type PromotionalFooterProps = {
  /** Why this person gets this mail, one sentence: "You subscribed to Tax tips from Example Tax on 3 May 2026." */
  reason: string;
  /** The signed /u/<token> link; the same URL goes into List-Unsubscribe. */
  unsubscribeUrl: string;
  preferencesUrl: string;
  /** Shows an "Advertisement" label, for campaigns that must be marked as one. */
  advertisement?: boolean;
};

export function PromotionalFooter({ unit, reason, unsubscribeUrl, preferencesUrl, advertisement = false }: PromotionalFooterProps & { unit: UnitIdentity }) {
  // The footer is the product's words, in the recipient's language; the campaign above it is the marketer's.
  const { t, language } = useContext(MessageLanguage);
  const htmlLanguage = useContext(HtmlLanguage);
  return (
    <div lang={htmlLanguage && htmlLanguage !== language ? language : undefined}>
      {advertisement ? <Text style={{ ...smallText, fontWeight: 700, letterSpacing: "0.04em" }}>{t("footer.advertisement")}</Text> : null}
      <Text style={smallText}>{reason}</Text>
      <Text style={smallText}>
        <FooterLink href={unsubscribeUrl}>{t("footer.unsubscribe")}</FooterLink>
        <br />
        <FooterLink href={preferencesUrl}>{t("footer.preferences")}</FooterLink>
      </Text>
      <UnitDetails unit={unit} />
    </div>
  );
}

export type PromotionalLayoutProps = {
  unit: UnitIdentity;
  /** The document title, normally the subject. */
  title: string;
  /** Inbox preview text (the campaign's preheader, or the first line of its body). */
  preview?: string;
  footer: PromotionalFooterProps;
  /** Overrides the render's language (MessageLanguage). */
  lang?: string;
  children: ReactNode;
};

export function PromotionalLayout({ unit, title, preview, footer, lang, children }: PromotionalLayoutProps) {
  const colors = brandColors(unit.brandColor);
  return (
    <EmailShell
      lang={lang}
      title={title}
      preview={preview}
      header={<UnitHeader unit={unit} background={colors.accent} color={colors.onAccent} />}
      footer={<PromotionalFooter unit={unit} {...footer} />}
    >
      {children}
    </EmailShell>
  );
}
