import { z } from "zod";
import { recipientName, webLink } from "./fields.ts";
import { defineLinkActionEmail } from "./link-action-email.tsx";

export const PreferenceLinkData = z.strictObject({ recipientName, url: webLink });
export type PreferenceLinkData = z.infer<typeof PreferenceLinkData>;

export const preferenceLink = defineLinkActionEmail<PreferenceLinkData>({
  category: "preference-link",
  schema: PreferenceLinkData,
  previewData: { recipientName: "Jane", url: "https://preferences.example.com/p/preview-token" },
  subject: () => "Your link to manage your email preferences",
  words: () => ({
    heading: "Manage your email preferences",
    preview: "Your link to choose which emails you get from us.",
    lead: ["You asked for a link to manage your email preferences. Use it to choose which emails you get from us."],
    action: "Manage your preferences",
    ifIgnored: "If you did not ask for this link, you can ignore this email. Nothing changes unless you use it.",
  }),
});

export default preferenceLink.Component;
