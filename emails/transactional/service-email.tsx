import { useContext, type ReactNode } from "react";
import type { z } from "zod";
import { Greeting, MessageLanguage, PREVIEW_CATEGORY_REASONS, PREVIEW_PREFERENCES_URL, PREVIEW_UNIT, TransactionalLayout, type MailLanguage, type UnitIdentity } from "../components/index.ts";
import { defineTransactionalTemplate, type TransactionalEmailProps, type TransactionalTemplate } from "../template-kinds.ts";

/** What one service email says; the frame around it (header, greeting, footer) is the same for all. */
export type ServiceEmailWords = {
  /** The message's headline; also the document title. */
  heading: string;
  /** Inbox preview text. */
  preview: string;
  /** Everything after the greeting. */
  body: ReactNode;
};

export type ServiceEmailDefinition<Data> = {
  /** The exempt category it is sent under; its demo reason is the preview's footer. */
  category: keyof typeof PREVIEW_CATEGORY_REASONS;
  schema: z.ZodType<Data>;
  previewData: Data;
  /** `mail`: the message's language and the reader's time zone; templates staff read (English only) ignore it. */
  subject: (data: Data, unit: UnitIdentity, mail: MailLanguage) => string;
  secretFields?: readonly string[];
  words: (data: Data, unit: UnitIdentity, mail: MailLanguage) => ServiceEmailWords;
};

/** A transactional template from its words: every service email greets, then says its piece, then explains itself in the footer. */
export function defineServiceEmail<Data extends { recipientName?: string }>({
  category,
  words,
  ...template
}: ServiceEmailDefinition<Data>): TransactionalTemplate<Data> {
  // Defaults from the preview data, so the template renders with no props at all.
  function ServiceEmail({
    data = template.previewData,
    unit = PREVIEW_UNIT,
    categoryReason = PREVIEW_CATEGORY_REASONS[category],
    preferencesUrl = PREVIEW_PREFERENCES_URL,
  }: Partial<TransactionalEmailProps<Data>>) {
    const { heading, preview, body } = words(data, unit, useContext(MessageLanguage));
    return (
      <TransactionalLayout unit={unit} heading={heading} preview={preview} footer={{ categoryReason, preferencesUrl }}>
        <Greeting name={data.recipientName} />
        {body}
      </TransactionalLayout>
    );
  }
  return defineTransactionalTemplate({ ...template, categories: [category], Component: ServiceEmail });
}
