import { useContext, type CSSProperties, type ReactNode } from "react";
import { Button } from "@react-email/button";
import { Link } from "@react-email/link";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import { MessageLanguage } from "./mail-language.ts";
import { bodyText, COLORS, FONT_STACK, smallText } from "./theme.ts";

// Small building blocks the templates share, so every message reads and looks the same.

export function Paragraph({ children, style }: { children: ReactNode; style?: CSSProperties }) {
  return <Text style={{ ...bodyText, ...style }}>{children}</Text>;
}

export function Greeting({ name }: { name?: string }) {
  const { t } = useContext(MessageLanguage);
  return <Paragraph>{name ? t("emails.greetingName", { name }) : t("emails.greeting")}</Paragraph>;
}

/**
 * The one thing the message asks the reader to do. The link is repeated as text under the
 * button for clients that hide buttons; the plain-text part already has it once.
 */
export function ActionButton({ href, children, color, textColor }: { href: string; children: ReactNode; color: string; textColor: string }) {
  const { t } = useContext(MessageLanguage);
  return (
    <Section style={{ margin: "8px 0 24px" }}>
      <Button
        href={href}
        style={{
          backgroundColor: color,
          color: textColor,
          fontFamily: FONT_STACK,
          fontSize: "16px",
          fontWeight: 600,
          lineHeight: "24px",
          borderRadius: "4px",
          padding: "12px 20px",
        }}
      >
        {children}
      </Button>
      <Text style={{ ...smallText, margin: "12px 0 0", wordBreak: "break-all" }} data-skip-in-text="true">
        {t("emails.copyLink")}{" "}
        <Link href={href} style={{ color: COLORS.link, textDecoration: "underline" }}>
          {href}
        </Link>
      </Text>
    </Section>
  );
}

/** Facts as label and value, e.g. what happened and when in a security alert. */
export function Details({ rows }: { rows: Array<[label: string, value: string]> }) {
  return (
    <Section style={{ margin: "0 0 16px", borderLeft: `3px solid ${COLORS.border}`, paddingLeft: "12px" }}>
      {rows.map(([label, value]) => (
        <Text key={label} style={{ ...bodyText, margin: "0 0 4px" }}>
          <strong>{`${label}:`}</strong> {value}
        </Text>
      ))}
    </Section>
  );
}

/** A translated sentence whose <strong>…</strong> parts are shown bold (the words around them differ by language). */
export function WithStrong({ text }: { text: string }) {
  return (
    <>
      {text.split(/<strong>(.*?)<\/strong>/).map((part, index) => (index % 2 === 1 ? <strong key={index}>{part}</strong> : part))}
    </>
  );
}
