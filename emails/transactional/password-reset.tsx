import { z } from "zod";
import {
  ActionButton,
  brandColors,
  formatMinutes,
  Greeting,
  Paragraph,
  PREVIEW_CATEGORY_REASONS,
  PREVIEW_PREFERENCES_URL,
  PREVIEW_UNIT,
  TransactionalLayout,
} from "../components/index.ts";
import { defineTransactionalTemplate, type TransactionalEmailProps } from "../template-kinds.ts";
import { linkLifetimeMinutes, recipientName, webLink } from "./fields.ts";

export const PasswordResetData = z.strictObject({ recipientName, url: webLink, expiresInMinutes: linkLifetimeMinutes });
export type PasswordResetData = z.infer<typeof PasswordResetData>;

const PREVIEW_DATA: PasswordResetData = {
  recipientName: "Jane",
  url: "https://preferences.example.com/reset-password/preview-token",
  expiresInMinutes: 60,
};

export default function PasswordResetEmail({
  data = PREVIEW_DATA,
  unit = PREVIEW_UNIT,
  categoryReason = PREVIEW_CATEGORY_REASONS["account-security"],
  preferencesUrl = PREVIEW_PREFERENCES_URL,
}: Partial<TransactionalEmailProps<PasswordResetData>>) {
  const colors = brandColors(unit.brandColor);
  const lifetime = formatMinutes(data.expiresInMinutes);
  return (
    <TransactionalLayout
      unit={unit}
      heading="Reset your password"
      preview={`Choose a new password. The link works for ${lifetime}.`}
      footer={{ categoryReason, preferencesUrl }}
    >
      <Greeting name={data.recipientName} />
      <Paragraph>
        {`We received a request to reset the password of your ${unit.displayName} account. The link works for ${lifetime}.`}
      </Paragraph>
      <ActionButton href={data.url} color={colors.accent} textColor={colors.onAccent}>
        Choose a new password
      </ActionButton>
      <Paragraph>If you did not ask for this, you can ignore this email. Your password stays the same.</Paragraph>
    </TransactionalLayout>
  );
}

export const passwordReset = defineTransactionalTemplate({
  secretFields: ["url"],
  categories: ["account-security"],
  schema: PasswordResetData,
  previewData: PREVIEW_DATA,
  subject: (_, unit) => `Reset your ${unit.displayName} password`,
  Component: PasswordResetEmail,
});
