import type { ReactNode } from "react";
import { ActionButton, brandColors, Paragraph, type MailLanguage, type UnitIdentity } from "../components/index.ts";
import type { TransactionalTemplate } from "../template-kinds.ts";
import { defineServiceEmail, type ServiceEmailDefinition } from "./service-email.tsx";

// The emails that carry one secret link (sign in, reset, confirm, accept, manage): they differ
// only in their words, so they share one body: what the link is for, the button, and what
// happens if the reader ignores it.

export type LinkActionWords = {
  heading: string;
  preview: string;
  /** The paragraphs above the button. */
  lead: ReactNode[];
  /** The button's label. */
  action: string;
  /** The paragraph below the button: what happens if the reader did not ask for this. */
  ifIgnored: string;
};

export function defineLinkActionEmail<Data extends { recipientName?: string; url: string }>({
  words,
  ...template
}: Omit<ServiceEmailDefinition<Data>, "words" | "secretFields"> & { words: (data: Data, unit: UnitIdentity, mail: MailLanguage) => LinkActionWords }): TransactionalTemplate<Data> {
  return defineServiceEmail({
    ...template,
    // The link opens the account or the preferences: it is not kept once the message is sent.
    secretFields: ["url"],
    words: (data, unit, mail) => {
      const { heading, preview, lead, action, ifIgnored } = words(data, unit, mail);
      const colors = brandColors(unit.brandColor);
      const body = (
        <>
          {lead.map((paragraph, index) => (
            <Paragraph key={index}>{paragraph}</Paragraph>
          ))}
          <ActionButton href={data.url} color={colors.accent} textColor={colors.onAccent}>
            {action}
          </ActionButton>
          <Paragraph>{ifIgnored}</Paragraph>
        </>
      );
      return { heading, preview, body };
    },
  });
}
