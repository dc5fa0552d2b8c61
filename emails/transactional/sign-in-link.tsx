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

export const SignInLinkData = z.strictObject({ recipientName, url: webLink, expiresInMinutes: linkLifetimeMinutes });
export type SignInLinkData = z.infer<typeof SignInLinkData>;

const PREVIEW_DATA: SignInLinkData = {
  recipientName: "Jane",
  url: "https://preferences.example.com/login/link/preview-token",
  expiresInMinutes: 15,
};

export default function SignInLinkEmail({
  data = PREVIEW_DATA,
  unit = PREVIEW_UNIT,
  categoryReason = PREVIEW_CATEGORY_REASONS["sign-in-link"],
  preferencesUrl = PREVIEW_PREFERENCES_URL,
}: Partial<TransactionalEmailProps<SignInLinkData>>) {
  const colors = brandColors(unit.brandColor);
  const lifetime = formatMinutes(data.expiresInMinutes);
  return (
    <TransactionalLayout
      unit={unit}
      heading={`Sign in to ${unit.displayName}`}
      preview={`Your sign-in link. It works for ${lifetime}.`}
      footer={{ categoryReason, preferencesUrl }}
    >
      <Greeting name={data.recipientName} />
      <Paragraph>{`Use the button below to sign in. The link works for ${lifetime}.`}</Paragraph>
      <ActionButton href={data.url} color={colors.accent} textColor={colors.onAccent}>
        Sign in
      </ActionButton>
      <Paragraph>If you did not ask to sign in, you can ignore this email. Your account stays as it is.</Paragraph>
    </TransactionalLayout>
  );
}

export const signInLink = defineTransactionalTemplate({
  secretFields: ["url"],
  categories: ["sign-in-link"],
  schema: SignInLinkData,
  previewData: PREVIEW_DATA,
  subject: (_, unit) => `Your sign-in link for ${unit.displayName}`,
  Component: SignInLinkEmail,
});
