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
import { isoDate, oneLine, paragraphText, recipientName, webLink } from "./fields.ts";

export const PolicyChangeNoticeData = z.strictObject({
  recipientName,
  /** As it reads inside a sentence: "privacy policy", "terms of service". */
  policyName: oneLine(120),
  /** What changes, in a few plain sentences. */
  summary: paragraphText(2000),
  effectiveDate: isoDate,
  policyUrl: webLink,
});
export type PolicyChangeNoticeData = z.infer<typeof PolicyChangeNoticeData>;

const PREVIEW_DATA: PolicyChangeNoticeData = {
  recipientName: "Jane",
  policyName: "privacy policy",
  summary: "We now keep server logs for 90 days instead of 30, and we explain more clearly which companies of the group see your data.",
  effectiveDate: "2026-07-01",
  policyUrl: "https://tax.example.com/privacy",
};

export default function PolicyChangeNoticeEmail({
  data = PREVIEW_DATA,
  unit = PREVIEW_UNIT,
  categoryReason = PREVIEW_CATEGORY_REASONS["policy-change"],
  preferencesUrl = PREVIEW_PREFERENCES_URL,
}: Partial<TransactionalEmailProps<PolicyChangeNoticeData>>) {
  const colors = brandColors(unit.brandColor);
  const date = formatDate(data.effectiveDate);
  return (
    <TransactionalLayout
      unit={unit}
      heading={`Changes to our ${data.policyName}`}
      preview={`Our ${data.policyName} changes on ${date}.`}
      footer={{ categoryReason, preferencesUrl }}
    >
      <Greeting name={data.recipientName} />
      <Paragraph>{`We are changing our ${data.policyName}. The changes take effect on ${date}.`}</Paragraph>
      <Paragraph style={{ fontWeight: 700, marginBottom: "8px" }}>What changes</Paragraph>
      {data.summary.split(/\n\s*\n/).map((text, index) => (
        <Paragraph key={index}>{text}</Paragraph>
      ))}
      <ActionButton href={data.policyUrl} color={colors.accent} textColor={colors.onAccent}>
        {`Read the new ${data.policyName}`}
      </ActionButton>
      <Paragraph>You do not need to do anything. If you have questions, contact us using the details at the end of this email.</Paragraph>
    </TransactionalLayout>
  );
}

export const policyChangeNotice = defineTransactionalTemplate({
  categories: ["policy-change"],
  schema: PolicyChangeNoticeData,
  previewData: PREVIEW_DATA,
  subject: (data) => `Changes to our ${data.policyName} from ${formatDate(data.effectiveDate)}`,
  Component: PolicyChangeNoticeEmail,
});
