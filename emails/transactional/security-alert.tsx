import { z } from "zod";
import {
  Details,
  formatDateTime,
  Greeting,
  Paragraph,
  PREVIEW_CATEGORY_REASONS,
  PREVIEW_PREFERENCES_URL,
  PREVIEW_UNIT,
  TransactionalLayout,
} from "../components/index.ts";
import { defineTransactionalTemplate, type TransactionalEmailProps } from "../template-kinds.ts";
import { ipAddress, isoDateTime, oneLine, recipientName } from "./fields.ts";

export const SecurityAlertData = z.strictObject({
  recipientName,
  /** What happened, e.g. "A new sign-in from Firefox on Windows". */
  event: oneLine(200),
  occurredAt: isoDateTime,
  ip: ipAddress.optional(),
});
export type SecurityAlertData = z.infer<typeof SecurityAlertData>;

const PREVIEW_DATA: SecurityAlertData = {
  recipientName: "Jane",
  event: "A new sign-in from Firefox on Windows",
  occurredAt: "2026-05-03T14:05:00Z",
  ip: "203.0.113.24",
};

export default function SecurityAlertEmail({
  data = PREVIEW_DATA,
  unit = PREVIEW_UNIT,
  categoryReason = PREVIEW_CATEGORY_REASONS["security-alert"],
  preferencesUrl = PREVIEW_PREFERENCES_URL,
}: Partial<TransactionalEmailProps<SecurityAlertData>>) {
  const details: Array<[string, string]> = [
    ["What happened", data.event],
    ["When", formatDateTime(data.occurredAt)],
  ];
  if (data.ip) details.push(["IP address", data.ip]);
  return (
    <TransactionalLayout
      unit={unit}
      heading="Security alert"
      preview={`${data.event}. If this was not you, act now.`}
      footer={{ categoryReason, preferencesUrl }}
    >
      <Greeting name={data.recipientName} />
      <Paragraph>{`We noticed this on your ${unit.displayName} account:`}</Paragraph>
      <Details rows={details} />
      <Paragraph>If this was you, there is nothing to do.</Paragraph>
      <Paragraph>
        If it was not you, change your password straight away and contact us using the details at the end of this email.
      </Paragraph>
    </TransactionalLayout>
  );
}

export const securityAlert = defineTransactionalTemplate({
  categories: ["security-alert"],
  schema: SecurityAlertData,
  previewData: PREVIEW_DATA,
  subject: (_, unit) => `Security alert for your ${unit.displayName} account`,
  Component: SecurityAlertEmail,
});
