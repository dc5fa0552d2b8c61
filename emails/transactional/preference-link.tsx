import { z } from "zod";
import { recipientName, webLink } from "./fields.ts";
import { defineLinkActionEmail } from "./link-action-email.tsx";

export const PreferenceLinkData = z.strictObject({ recipientName, url: webLink });
export type PreferenceLinkData = z.infer<typeof PreferenceLinkData>;

export const preferenceLink = defineLinkActionEmail<PreferenceLinkData>({
  category: "preference-link",
  schema: PreferenceLinkData,
  previewData: { recipientName: "Jane", url: "https://preferences.example.com/p/preview-token" },
  subject: (_, __, { t }) => t("emails.preferenceLink.subject"),
  words: (_, __, { t }) => ({
    heading: t("emails.preferenceLink.heading"),
    preview: t("emails.preferenceLink.preview"),
    lead: [t("emails.preferenceLink.lead")],
    action: t("emails.preferenceLink.action"),
    ifIgnored: t("emails.preferenceLink.ifIgnored"),
  }),
});

export default preferenceLink.Component;
