import { z } from "zod";
import { formatLifetime } from "../components/index.ts";
import { linkLifetimeMinutes, recipientName, webLink } from "./fields.ts";
import { defineLinkActionEmail } from "./link-action-email.tsx";

export const SignInLinkData = z.strictObject({ recipientName, url: webLink, expiresInMinutes: linkLifetimeMinutes });
export type SignInLinkData = z.infer<typeof SignInLinkData>;

export const signInLink = defineLinkActionEmail<SignInLinkData>({
  category: "sign-in-link",
  schema: SignInLinkData,
  previewData: {
    recipientName: "Jane",
    url: "https://preferences.example.com/login/link/preview-token",
    expiresInMinutes: 15,
  },
  subject: (_, unit, { t }) => t("emails.signIn.subject", { unit: unit.displayName }),
  words: (data, unit, { t }) => {
    const lifetime = formatLifetime(data.expiresInMinutes, t);
    return {
      heading: t("emails.signIn.heading", { unit: unit.displayName }),
      preview: t("emails.signIn.preview", { lifetime }),
      lead: [t("emails.signIn.lead", { lifetime })],
      action: t("emails.signIn.action"),
      ifIgnored: t("emails.signIn.ifIgnored"),
    };
  },
});

export default signInLink.Component;
