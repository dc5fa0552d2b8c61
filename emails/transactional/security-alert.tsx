import { z } from "zod";
import { Details, formatDateTime, Paragraph, type MailLanguage, type UnitIdentity } from "../components/index.ts";
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
  subject: (_: SecurityAlertData, unit: UnitIdentity, { t }: MailLanguage) => t("emails.securityAlert.subject", { unit: unit.displayName }),
  words: (data: SecurityAlertData, unit: UnitIdentity, { t, language, timeZone }: MailLanguage) => {
    const details: Array<[string, string]> = [
      [t("emails.securityAlert.what"), data.event],
      [t("emails.securityAlert.when"), formatDateTime(data.occurredAt, language, timeZone)],
    ];
    if (data.ip) details.push([t("emails.securityAlert.ip"), data.ip]);
    return {
      heading: t("emails.securityAlert.heading"),
      preview: t("emails.securityAlert.preview", { event: data.event }),
      body: (
        <>
          <Paragraph>{t("emails.securityAlert.noticed", { unit: unit.displayName })}</Paragraph>
          <Details rows={details} />
          <Paragraph>{t("emails.securityAlert.ifYou")}</Paragraph>
          <Paragraph>{t("emails.securityAlert.ifNotYou")}</Paragraph>
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
