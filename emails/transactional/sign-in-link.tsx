import { z } from "zod";
import { formatMinutes } from "../components/index.ts";
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
  subject: (_, unit) => `Your sign-in link for ${unit.displayName}`,
  words: (data, unit) => {
    const lifetime = formatMinutes(data.expiresInMinutes);
    return {
      heading: `Sign in to ${unit.displayName}`,
      preview: `Your sign-in link. It works for ${lifetime}.`,
      lead: [`Use the button below to sign in. The link works for ${lifetime}.`],
      action: "Sign in",
      ifIgnored: "If you did not ask to sign in, you can ignore this email. Your account stays as it is.",
    };
  },
});

export default signInLink.Component;
