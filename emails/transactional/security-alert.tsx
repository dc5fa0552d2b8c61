import { z } from "zod";
import { Details, formatDateTime, Paragraph } from "../components/index.ts";
import { ipAddress, isoDateTime, oneLine, recipientName } from "./fields.ts";
import { defineServiceEmail } from "./service-email.tsx";

export const SecurityAlertData = z.strictObject({
  recipientName,
  /** What happened, e.g. "A new sign-in from Firefox on Windows". */
  event: oneLine(200),
  occurredAt: isoDateTime,
  ip: ipAddress.optional(),
});
export type SecurityAlertData = z.infer<typeof SecurityAlertData>;

export const securityAlert = defineServiceEmail<SecurityAlertData>({
  category: "security-alert",
  schema: SecurityAlertData,
  previewData: {
    recipientName: "Jane",
    event: "A new sign-in from Firefox on Windows",
    occurredAt: "2026-05-03T14:05:00Z",
    ip: "203.0.113.24",
  },
  subject: (_, unit) => `Security alert for your ${unit.displayName} account`,
  words: (data, unit) => {
    const details: Array<[string, string]> = [
      ["What happened", data.event],
      ["When", formatDateTime(data.occurredAt)],
    ];
    if (data.ip) details.push(["IP address", data.ip]);
    return {
      heading: "Security alert",
      preview: `${data.event}. If this was not you, act now.`,
      body: (
        <>
          <Paragraph>{`We noticed this on your ${unit.displayName} account:`}</Paragraph>
          <Details rows={details} />
          <Paragraph>If this was you, there is nothing to do.</Paragraph>
          <Paragraph>
            If it was not you, change your password straight away and contact us using the details at the end of this email.
          </Paragraph>
        </>
      ),
    };
  },
});

export default securityAlert.Component;
