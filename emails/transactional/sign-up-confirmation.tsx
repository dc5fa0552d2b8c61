import { z } from "zod";
import { formatMinutes } from "../components/index.ts";
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
  subject: (_, unit) => `Confirm your email address for your ${unit.displayName} account`,
  words: (data, unit) => {
    const lifetime = formatMinutes(data.expiresInMinutes);
    return {
      heading: "Confirm your email address",
      preview: `One step left: confirm your address. The link works for ${lifetime}.`,
      lead: [
        `Thank you for signing up for an account with ${unit.displayName}. Use the button below to confirm that this address is yours; you will then enter the password you chose.`,
        `The link works for ${lifetime}.`,
      ],
      action: "Confirm my address",
      ifIgnored: "If you did not sign up, you can ignore this email: no account is opened without this confirmation.",
    };
  },
});

export default signUpConfirmation.Component;
