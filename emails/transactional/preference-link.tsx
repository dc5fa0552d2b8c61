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
import { recipientName, webLink } from "./fields.ts";

export const PreferenceLinkData = z.strictObject({ recipientName, url: webLink });
export type PreferenceLinkData = z.infer<typeof PreferenceLinkData>;

const PREVIEW_DATA: PreferenceLinkData = { recipientName: "Jane", url: "https://preferences.example.com/p/preview-token" };

export default function PreferenceLinkEmail({
  data = PREVIEW_DATA,
  unit = PREVIEW_UNIT,
  categoryReason = PREVIEW_CATEGORY_REASONS["preference-link"],
  preferencesUrl = PREVIEW_PREFERENCES_URL,
}: Partial<TransactionalEmailProps<PreferenceLinkData>>) {
  const colors = brandColors(unit.brandColor);
  return (
    <TransactionalLayout
      unit={unit}
      heading="Manage your email preferences"
      preview="Your link to choose which emails you get from us."
      footer={{ categoryReason, preferencesUrl }}
    >
      <Greeting name={data.recipientName} />
      <Paragraph>You asked for a link to manage your email preferences. Use it to choose which emails you get from us.</Paragraph>
      <ActionButton href={data.url} color={colors.accent} textColor={colors.onAccent}>
        Manage your preferences
      </ActionButton>
      <Paragraph>If you did not ask for this link, you can ignore this email. Nothing changes unless you use it.</Paragraph>
    </TransactionalLayout>
  );
}

export const preferenceLink = defineTransactionalTemplate({
  secretFields: ["url"],
  categories: ["preference-link"],
  schema: PreferenceLinkData,
  previewData: PREVIEW_DATA,
  subject: () => "Your link to manage your email preferences",
  Component: PreferenceLinkEmail,
});
