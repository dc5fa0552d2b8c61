import { z } from "zod";
import { ActionButton, brandColors, formatDate, Paragraph } from "../components/index.ts";
import { isoDate, oneLine, paragraphText, recipientName, webLink } from "./fields.ts";
import { defineServiceEmail } from "./service-email.tsx";

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

export const policyChangeNotice = defineServiceEmail<PolicyChangeNoticeData>({
  category: "policy-change",
  schema: PolicyChangeNoticeData,
  previewData: {
    recipientName: "Jane",
    policyName: "privacy policy",
    summary: "We now keep server logs for 90 days instead of 30, and we explain more clearly which companies of the group see your data.",
    effectiveDate: "2026-07-01",
    policyUrl: "https://tax.example.com/privacy",
  },
  subject: (data) => `Changes to our ${data.policyName} from ${formatDate(data.effectiveDate)}`,
  words: (data, unit) => {
    const colors = brandColors(unit.brandColor);
    const date = formatDate(data.effectiveDate);
    return {
      heading: `Changes to our ${data.policyName}`,
      preview: `Our ${data.policyName} changes on ${date}.`,
      body: (
        <>
          <Paragraph>{`We are changing our ${data.policyName}. The changes take effect on ${date}.`}</Paragraph>
          <Paragraph style={{ fontWeight: 700, marginBottom: "8px" }}>What changes</Paragraph>
          {data.summary.split(/\n\s*\n/).map((text, index) => (
            <Paragraph key={index}>{text}</Paragraph>
          ))}
          <ActionButton href={data.policyUrl} color={colors.accent} textColor={colors.onAccent}>
            {`Read the new ${data.policyName}`}
          </ActionButton>
          <Paragraph>You do not need to do anything. If you have questions, contact us using the details at the end of this email.</Paragraph>
        </>
      ),
    };
  },
});

export default policyChangeNotice.Component;
