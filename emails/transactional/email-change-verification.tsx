import { z } from "zod";
import { WithStrong } from "../components/index.ts";
import { emailAddress, recipientName, webLink } from "./fields.ts";
import { defineLinkActionEmail } from "./link-action-email.tsx";

export const EmailChangeVerificationData = z.strictObject({ recipientName, url: webLink, newEmail: emailAddress });
export type EmailChangeVerificationData = z.infer<typeof EmailChangeVerificationData>;

export const emailChangeVerification = defineLinkActionEmail<EmailChangeVerificationData>({
  category: "account-security",
  schema: EmailChangeVerificationData,
  previewData: {
    recipientName: "Jane",
    url: "https://preferences.example.com/account/confirm-email/preview-token",
    newEmail: "jane.doe@example.org",
  },
  subject: (_, __, { t }) => t("emails.emailChange.subject"),
  words: (data, unit, { t }) => ({
    heading: t("emails.emailChange.heading"),
    preview: t("emails.emailChange.preview", { email: data.newEmail }),
    lead: [
      <WithStrong key="lead" text={t("emails.emailChange.lead", { unit: unit.displayName, email: data.newEmail })} />,
    ],
    action: t("emails.emailChange.action"),
    ifIgnored: t("emails.emailChange.ifIgnored"),
  }),
});

export default emailChangeVerification.Component;
