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
import { emailAddress, linkLifetimeMinutes, recipientName, webLink } from "./fields.ts";

// An admin invited a marketer or admin: the link lets them choose a password and sign in.

export const StaffInviteData = z.strictObject({
  recipientName,
  url: webLink,
  expiresInMinutes: linkLifetimeMinutes,
  role: z.enum(["marketer", "admin"], { error: "must be marketer or admin" }),
  /** The admin who sent the invitation; absent when it came from the command line. */
  invitedBy: emailAddress.optional(),
});
export type StaffInviteData = z.infer<typeof StaffInviteData>;

const PREVIEW_DATA: StaffInviteData = {
  recipientName: "Sam",
  url: "https://preferences.example.com/invite/preview-token",
  expiresInMinutes: 7 * 24 * 60,
  role: "marketer",
  invitedBy: "admin@example.com",
};

/** "7 days" rather than "168 hours". */
function lifetimeOf(minutes: number): string {
  const days = minutes / (24 * 60);
  if (Number.isInteger(days)) return days === 1 ? "1 day" : `${days} days`;
  return formatMinutes(minutes);
}

export default function StaffInviteEmail({
  data = PREVIEW_DATA,
  unit = PREVIEW_UNIT,
  categoryReason = PREVIEW_CATEGORY_REASONS["staff-invite"],
  preferencesUrl = PREVIEW_PREFERENCES_URL,
}: Partial<TransactionalEmailProps<StaffInviteData>>) {
  const colors = brandColors(unit.brandColor);
  const lifetime = lifetimeOf(data.expiresInMinutes);
  const who = data.invitedBy ? `${data.invitedBy} invited you` : "You are invited";
  const what = data.role === "admin" ? "an admin" : "a marketer";
  return (
    <TransactionalLayout
      unit={unit}
      heading="You are invited to the Preference Center"
      preview={`Choose a password to start. The link works for ${lifetime}.`}
      footer={{ categoryReason, preferencesUrl }}
    >
      <Greeting name={data.recipientName} />
      <Paragraph>{`${who} to work in the Preference Center of ${unit.displayName} as ${what}.`}</Paragraph>
      <Paragraph>{`Use the button below to choose your password and sign in. The link works once, for ${lifetime}.`}</Paragraph>
      <ActionButton href={data.url} color={colors.accent} textColor={colors.onAccent}>
        Accept the invitation
      </ActionButton>
      <Paragraph>If you did not expect this, you can ignore this email: no account can be used until the link is.</Paragraph>
    </TransactionalLayout>
  );
}

export const staffInvite = defineTransactionalTemplate({
  secretFields: ["url"],
  categories: ["staff-invite"],
  schema: StaffInviteData,
  previewData: PREVIEW_DATA,
  subject: (_, unit) => `Your invitation to the ${unit.displayName} Preference Center`,
  Component: StaffInviteEmail,
});
