import { z } from "zod";
import { Details, formatDateTime, Paragraph, type UnitIdentity } from "../components/index.ts";
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

const securityAlertEmail = {
  schema: SecurityAlertData,
  previewData: {
    recipientName: "Jane",
    event: "A new sign-in from Firefox on Windows",
    occurredAt: "2026-05-03T14:05:00Z",
    ip: "203.0.113.24",
  },
  subject: (_: SecurityAlertData, unit: UnitIdentity) => `Security alert for your ${unit.displayName} account`,
  words: (data: SecurityAlertData, unit: UnitIdentity) => {
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
};

/** A unit's own security alert (its API key may send it). */
export const securityAlert = defineServiceEmail<SecurityAlertData>({ category: "security-alert", ...securityAlertEmail });

/**
 * The same words about a Preference Center account, sent as the group (ADR 044) under a group
 * category, so no unit's category or name is borrowed for it.
 */
export const accountSecurityAlert = defineServiceEmail<SecurityAlertData>({ category: "account-alert", ...securityAlertEmail });

export default securityAlert.Component;
