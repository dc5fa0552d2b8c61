import { useContext, type ReactNode } from "react";
import { MessageLanguage } from "./mail-language.ts";
import { Heading } from "@react-email/heading";
import { Text } from "@react-email/text";
import { EmailShell, FooterLink, UnitDetails } from "./email-shell.tsx";
import { brandColors, COLORS, FONT_STACK, smallText } from "./theme.ts";
import { UnitHeader } from "./unit-header.tsx";
import type { UnitIdentity } from "./unit-identity.ts";

// Service mail: sent whatever the person's marketing preferences are, so its footer explains
// why, and has no unsubscribe link (there is nothing to unsubscribe from).

export type TransactionalFooterProps = {
  /** The exempt category's reason, e.g. "We warn you about sign-ins … to keep it safe." */
  categoryReason: string;
  preferencesUrl: string;
};

export function TransactionalFooter({ unit, categoryReason, preferencesUrl }: TransactionalFooterProps & { unit: UnitIdentity }) {
  const { t } = useContext(MessageLanguage);
  return (
    <>
      <Text style={smallText}>{t("emails.serviceFooter.about", { unit: unit.displayName })}</Text>
      <Text style={smallText}>{t("emails.serviceFooter.why", { reason: categoryReason })}</Text>
      <Text style={smallText}>
        <FooterLink href={preferencesUrl}>{t("emails.serviceFooter.manage")}</FooterLink>
      </Text>
      <UnitDetails unit={unit} />
    </>
  );
}

export type TransactionalLayoutProps = {
  unit: UnitIdentity;
  /** The message's headline; also the document title. */
  heading: string;
  /** Inbox preview text; without it, the heading (the body's first line, not the unit's name above it). */
  preview?: string;
  footer: TransactionalFooterProps;
  /** Overrides the render's language (MessageLanguage). */
  lang?: string;
  children: ReactNode;
};

export function TransactionalLayout({ unit, heading, preview, footer, lang, children }: TransactionalLayoutProps) {
  const colors = brandColors(unit.brandColor);
  return (
    <EmailShell
      lang={lang}
      title={heading}
      preview={preview?.trim() || heading}
      // Plain and calm: the brand shows only as a thin rule, so service mail never looks like an offer.
      header={<UnitHeader unit={unit} background={COLORS.card} color={COLORS.ink} topRule={colors.accent} bottomRule={COLORS.border} />}
      footer={<TransactionalFooter unit={unit} {...footer} />}
    >
      <Heading as="h1" style={{ fontFamily: FONT_STACK, fontSize: "22px", lineHeight: "30px", fontWeight: 700, color: COLORS.ink, margin: "0 0 16px" }}>
        {heading}
      </Heading>
      {children}
    </EmailShell>
  );
}
