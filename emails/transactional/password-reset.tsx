import { z } from "zod";
import { formatMinutes } from "../components/index.ts";
import { linkLifetimeMinutes, recipientName, webLink } from "./fields.ts";
import { defineLinkActionEmail } from "./link-action-email.tsx";

export const PasswordResetData = z.strictObject({ recipientName, url: webLink, expiresInMinutes: linkLifetimeMinutes });
export type PasswordResetData = z.infer<typeof PasswordResetData>;

export const passwordReset = defineLinkActionEmail<PasswordResetData>({
  category: "account-security",
  schema: PasswordResetData,
  previewData: {
    recipientName: "Jane",
    url: "https://preferences.example.com/reset-password/preview-token",
    expiresInMinutes: 60,
  },
  subject: (_, unit) => `Reset your ${unit.displayName} password`,
  words: (data, unit) => {
    const lifetime = formatMinutes(data.expiresInMinutes);
    return {
      heading: "Reset your password",
      preview: `Choose a new password. The link works for ${lifetime}.`,
      lead: [`We received a request to reset the password of your ${unit.displayName} account. The link works for ${lifetime}.`],
      action: "Choose a new password",
      ifIgnored: "If you did not ask for this, you can ignore this email. Your password stays the same.",
    };
  },
});

export default passwordReset.Component;
