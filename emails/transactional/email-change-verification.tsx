import { z } from "zod";
import {
  ActionButton,
  brandColors,
  Greeting,
  Paragraph,
  PREVIEW_CATEGORY_REASONS,
  PREVIEW_PREFERENCES_URL,
  PREVIEW_UNIT,
  TransactionalLayout,
} from "../components/index.ts";
import { defineTransactionalTemplate, type TransactionalEmailProps } from "../template-kinds.ts";
import { emailAddress, recipientName, webLink } from "./fields.ts";

export const EmailChangeVerificationData = z.strictObject({ recipientName, url: webLink, newEmail: emailAddress });
export type EmailChangeVerificationData = z.infer<typeof EmailChangeVerificationData>;

const PREVIEW_DATA: EmailChangeVerificationData = {
  recipientName: "Jane",
  url: "https://preferences.example.com/account/confirm-email/preview-token",
  newEmail: "jane.doe@example.org",
};

export default function EmailChangeVerificationEmail({
  data = PREVIEW_DATA,
  unit = PREVIEW_UNIT,
  categoryReason = PREVIEW_CATEGORY_REASONS["account-security"],
  preferencesUrl = PREVIEW_PREFERENCES_URL,
}: Partial<TransactionalEmailProps<EmailChangeVerificationData>>) {
  const colors = brandColors(unit.brandColor);
  return (
    <TransactionalLayout
      unit={unit}
      heading="Confirm your new email address"
      preview={`Confirm ${data.newEmail} as your new email address.`}
      footer={{ categoryReason, preferencesUrl }}
    >
      <Greeting name={data.recipientName} />
      <Paragraph>
        {`You asked to change the email address of your ${unit.displayName} account to `}
        <strong>{data.newEmail}</strong>. Please confirm it with the button below.
      </Paragraph>
      <ActionButton href={data.url} color={colors.accent} textColor={colors.onAccent}>
        Confirm new address
      </ActionButton>
      <Paragraph>
        Until you confirm, we keep using your current address. If you did not ask for this, you can ignore this email.
      </Paragraph>
    </TransactionalLayout>
  );
}

export const emailChangeVerification = defineTransactionalTemplate({
  secretFields: ["url"],
  categories: ["account-security"],
  schema: EmailChangeVerificationData,
  previewData: PREVIEW_DATA,
  subject: () => "Confirm your new email address",
  Component: EmailChangeVerificationEmail,
});
