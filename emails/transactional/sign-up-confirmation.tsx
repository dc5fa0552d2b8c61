import { z } from "zod";
import { formatLifetime } from "../components/index.ts";
import { linkLifetimeMinutes, recipientName, webLink } from "./fields.ts";
import { defineLinkActionEmail } from "./link-action-email.tsx";

// The first message after /signup: the person asked for an account, not to sign in, so it
// says so (it used to be the sign-in email, "If you did not ask to sign in").

export const SignUpConfirmationData = z.strictObject({ recipientName, url: webLink, expiresInMinutes: linkLifetimeMinutes });
export type SignUpConfirmationData = z.infer<typeof SignUpConfirmationData>;

export const signUpConfirmation = defineLinkActionEmail<SignUpConfirmationData>({
  category: "sign-up-confirmation",
  schema: SignUpConfirmationData,
  previewData: {
    recipientName: "Jane",
    url: "https://preferences.example.com/signup/confirm/preview-token",
    expiresInMinutes: 60,
  },
  subject: (_, unit, { t }) => t("emails.signUp.subject", { unit: unit.displayName }),
  words: (data, unit, { t }) => {
    const lifetime = formatLifetime(data.expiresInMinutes, t);
    return {
      heading: t("emails.signUp.heading"),
      preview: t("emails.signUp.preview", { lifetime }),
      lead: [t("emails.signUp.lead", { unit: unit.displayName }), t("emails.signUp.lifetime", { lifetime })],
      action: t("emails.signUp.action"),
      ifIgnored: t("emails.signUp.ifIgnored"),
    };
  },
});

export default signUpConfirmation.Component;
