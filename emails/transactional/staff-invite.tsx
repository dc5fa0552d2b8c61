import { z } from "zod";
import { formatMinutes } from "../components/index.ts";
import { emailAddress, linkLifetimeMinutes, recipientName, webLink } from "./fields.ts";
import { defineLinkActionEmail } from "./link-action-email.tsx";

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

/** "7 days" rather than "168 hours". */
function lifetimeOf(minutes: number): string {
  const days = minutes / (24 * 60);
  if (Number.isInteger(days)) return days === 1 ? "1 day" : `${days} days`;
  return formatMinutes(minutes);
}

export const staffInvite = defineLinkActionEmail<StaffInviteData>({
  category: "staff-invite",
  schema: StaffInviteData,
  previewData: {
    recipientName: "Sam",
    url: "https://preferences.example.com/invite/preview-token",
    expiresInMinutes: 7 * 24 * 60,
    role: "marketer",
    invitedBy: "admin@example.com",
  },
  subject: (_, unit) => `Your invitation to the ${unit.displayName} Preference Center`,
  words: (data, unit) => {
    const lifetime = lifetimeOf(data.expiresInMinutes);
    const who = data.invitedBy ? `${data.invitedBy} invited you` : "You are invited";
    const what = data.role === "admin" ? "an admin" : "a marketer";
    return {
      heading: "You are invited to the Preference Center",
      preview: `Choose a password to start. The link works for ${lifetime}.`,
      lead: [
        `${who} to work in the Preference Center of ${unit.displayName} as ${what}.`,
        `Use the button below to choose your password and sign in. The link works once, for ${lifetime}.`,
      ],
      action: "Accept the invitation",
      ifIgnored: "If you did not expect this, you can ignore this email: no account can be used until the link is.",
    };
  },
});

export default staffInvite.Component;
