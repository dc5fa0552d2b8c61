import { z } from "zod";
import { ActionButton, brandColors, formatDate, Paragraph } from "../components/index.ts";
import { isoDate, oneLine, recipientName, webLink } from "./fields.ts";
import { defineServiceEmail } from "./service-email.tsx";

export const TaxNoticeData = z.strictObject({
  recipientName,
  /** As the tax authority writes it: "2025" or "2025/26". */
  taxYear: oneLine(20, 'must be text, like "2025" or "2025/26"'),
  documentName: oneLine(120),
  documentUrl: webLink.optional(),
  dueDate: isoDate.optional(),
});
export type TaxNoticeData = z.infer<typeof TaxNoticeData>;

export const taxNotice = defineServiceEmail<TaxNoticeData>({
  category: "tax-compliance",
  schema: TaxNoticeData,
  previewData: {
    recipientName: "Jane",
    taxYear: "2025",
    documentName: "Annual tax statement",
    documentUrl: "https://tax.example.com/account/documents/2025-statement",
    dueDate: "2026-07-31",
  },
  subject: (data) => `Your ${data.documentName} for tax year ${data.taxYear}`,
  words: (data, unit) => {
    const colors = brandColors(unit.brandColor);
    return {
      heading: `${data.documentName} for tax year ${data.taxYear}`,
      preview: `Your ${data.documentName} for tax year ${data.taxYear} is ready.`,
      body: (
        <>
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
        </>
      ),
    };
  },
});

export default taxNotice.Component;
