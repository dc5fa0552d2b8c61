import { useContext, type ReactNode } from "react";
import { Body } from "@react-email/body";
import { Container } from "@react-email/container";
import { Head } from "@react-email/head";
import { Html } from "@react-email/html";
import { Link } from "@react-email/link";
import { Preview } from "@react-email/preview";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import { CARD_WIDTH, COLORS, FONT_STACK, smallText } from "./theme.ts";
import { contactMethods, type UnitIdentity } from "./unit-identity.ts";
import { HtmlLanguage, MessageLanguage } from "./mail-language.ts";


/**
 * A centred table 600 wide by attribute, which Outlook on Windows (Word's renderer, no max-width)
 * keeps; elsewhere the style narrows it to the screen.
 */
const COLUMN = { width: CARD_WIDTH, style: { width: `${CARD_WIDTH}px`, maxWidth: "100%" } } as const;

type EmailShellProps = {
  /** Overrides the render's MessageLanguage. */
  lang?: string;
  /** The document title: what a screen reader announces when the message opens in a browser. */
  title: string;
  /** Inbox preview text; keep it under about 90 characters. */
  preview?: string;
  header: ReactNode;
  footer: ReactNode;
  children: ReactNode;
};

/** The frame both layouts share: a white 600px card on a light grey page, the footer below it. */
export function EmailShell({ lang, title, preview, header, footer, children }: EmailShellProps) {
  const { language } = useContext(MessageLanguage);
  const htmlLanguage = useContext(HtmlLanguage);
  return (
    <Html lang={lang ?? htmlLanguage ?? language} dir="ltr">
      <Head>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <meta name="supported-color-schemes" content="light" />
        <title>{title}</title>
      </Head>
      <Body style={{ backgroundColor: COLORS.page, margin: 0, padding: "24px 12px", fontFamily: FONT_STACK }}>
        {/* Preview pads itself to 150 characters with invisible ones: pass one plain string. */}
        {preview ? <Preview>{preview}</Preview> : null}
        {/* A fixed layout keeps this full-width table as wide as the screen, so the 600 columns inside
            can narrow to it (an automatic one grows to fit them). */}
        <Section style={{ tableLayout: "fixed" }}>
          <Container width={COLUMN.width} style={{ ...COLUMN.style, backgroundColor: COLORS.card, border: `1px solid ${COLORS.border}`, borderRadius: "6px" }}>
            {header}
            <Section style={{ padding: "24px 32px 8px" }}>{children}</Section>
          </Container>
          <Container width={COLUMN.width} style={{ ...COLUMN.style, padding: "16px 32px" }}>
            {footer}
          </Container>
        </Section>
      </Body>
    </Html>
  );
}

/** Legal name, postal address and how to reach the unit: the lines every footer ends with. */
export function UnitDetails({ unit }: { unit: UnitIdentity }) {
  const methods = contactMethods(unit);
  const { t } = useContext(MessageLanguage);
  return (
    <>
      <Text style={smallText}>
        {unit.legalName}
        <br />
        {lines(unit.postalAddress)}
      </Text>
      {methods.length > 0 ? (
        <Text style={smallText}>
          {t("emails.contactUs")}{" "}
          {methods.map((method, index) => (
            <span key={method.href}>
              {index > 0 ? " · " : null}
              <FooterLink href={method.href}>{method.label}</FooterLink>
            </span>
          ))}
        </Text>
      ) : null}
    </>
  );
}

export function FooterLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link href={href} style={{ color: COLORS.muted, textDecoration: "underline" }}>
      {children}
    </Link>
  );
}

/** A multi-line postal address keeps its lines. */
function lines(text: string): ReactNode {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line, index) => (
      <span key={index}>
        {index > 0 ? <br /> : null}
        {line}
      </span>
    ));
}
