import { z } from "zod";
import { formatLifetime } from "../components/index.ts";
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
  subject: (_, unit, { t }) => t("emails.passwordReset.subject", { unit: unit.displayName }),
  words: (data, unit, { t }) => {
    const lifetime = formatLifetime(data.expiresInMinutes, t);
    return {
      heading: t("emails.passwordReset.heading"),
      preview: t("emails.passwordReset.preview", { lifetime }),
      lead: [t("emails.passwordReset.lead", { unit: unit.displayName, lifetime })],
      action: t("emails.passwordReset.action"),
      ifIgnored: t("emails.passwordReset.ifIgnored"),
    };
  },
});

export default passwordReset.Component;
