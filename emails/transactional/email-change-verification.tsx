import { z } from "zod";
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
  subject: () => "Confirm your new email address",
  words: (data, unit) => ({
    heading: "Confirm your new email address",
    preview: `Confirm ${data.newEmail} as your new email address.`,
    lead: [
      <>
        {`You asked to change the email address of your ${unit.displayName} account to `}
        <strong>{data.newEmail}</strong>. Please confirm it with the button below.
      </>,
    ],
    action: "Confirm new address",
    ifIgnored: "Until you confirm, we keep using your current address. If you did not ask for this, you can ignore this email.",
  }),
});

export default emailChangeVerification.Component;
