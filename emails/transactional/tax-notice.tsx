import { z } from "zod";
import {
  ActionButton,
  brandColors,
  formatDate,
  Greeting,
  Paragraph,
  PREVIEW_CATEGORY_REASONS,
  PREVIEW_PREFERENCES_URL,
  PREVIEW_UNIT,
  TransactionalLayout,
} from "../components/index.ts";
import { defineTransactionalTemplate, type TransactionalEmailProps } from "../template-kinds.ts";
import { isoDate, oneLine, recipientName, webLink } from "./fields.ts";

export const TaxNoticeData = z.strictObject({
  recipientName,
  /** As the tax authority writes it: "2025" or "2025/26". */
  taxYear: oneLine(20, 'must be text, like "2025" or "2025/26"'),
  documentName: oneLine(120),
  documentUrl: webLink.optional(),
  dueDate: isoDate.optional(),
});
export type TaxNoticeData = z.infer<typeof TaxNoticeData>;

const PREVIEW_DATA: TaxNoticeData = {
  recipientName: "Jane",
  taxYear: "2025",
  documentName: "Annual tax statement",
  documentUrl: "https://tax.example.com/account/documents/2025-statement",
  dueDate: "2026-07-31",
};

export default function TaxNoticeEmail({
  data = PREVIEW_DATA,
  unit = PREVIEW_UNIT,
  categoryReason = PREVIEW_CATEGORY_REASONS["tax-compliance"],
  preferencesUrl = PREVIEW_PREFERENCES_URL,
}: Partial<TransactionalEmailProps<TaxNoticeData>>) {
  const colors = brandColors(unit.brandColor);
  return (
    <TransactionalLayout
      unit={unit}
      heading={`${data.documentName} for tax year ${data.taxYear}`}
      preview={`Your ${data.documentName} for tax year ${data.taxYear} is ready.`}
      footer={{ categoryReason, preferencesUrl }}
    >
      <Greeting name={data.recipientName} />
      <Paragraph>
        {`Your ${data.documentName} for tax year ${data.taxYear} is ready.`}
        {data.documentUrl ? null : " You can find it when you sign in to your account."}
      </Paragraph>
      {data.dueDate ? <Paragraph>Please act on it by {formatDate(data.dueDate)}.</Paragraph> : null}
      {data.documentUrl ? (
        <ActionButton href={data.documentUrl} color={colors.accent} textColor={colors.onAccent}>
          View your document
        </ActionButton>
      ) : null}
      <Paragraph>Keep it with your tax records.</Paragraph>
    </TransactionalLayout>
  );
}

export const taxNotice = defineTransactionalTemplate({
  categories: ["tax-compliance"],
  schema: TaxNoticeData,
  previewData: PREVIEW_DATA,
  subject: (data) => `Your ${data.documentName} for tax year ${data.taxYear}`,
  Component: TaxNoticeEmail,
});
