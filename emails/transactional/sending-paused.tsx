import { z } from "zod";
import { Details, formatDateTime, Paragraph } from "../components/index.ts";
import { isoDateTime, oneLine, recipientName, webLink } from "./fields.ts";
import { defineServiceEmail } from "./service-email.tsx";

// To every admin, once per pause: the guard rails stopped a unit's campaigns on their own.

export const SendingPausedData = z.strictObject({
  recipientName,
  /** The unit whose campaigns stopped. */
  unitName: oneLine(120),
  /** Why, in one sentence: the rate, the threshold and the window. */
  reason: oneLine(300),
  /** The campaigns that stopped, by name. */
  campaigns: z.array(oneLine(200)).min(1).max(50),
  pausedAt: isoDateTime,
  /** The unit's page, where the rates are. */
  url: webLink,
});
export type SendingPausedData = z.infer<typeof SendingPausedData>;

export const sendingPaused = defineServiceEmail<SendingPausedData>({
  category: "staff-alert",
  schema: SendingPausedData,
  previewData: {
    recipientName: "Sam",
    unitName: "Northwind Insurance",
    reason: "Spam complaints reached 0.35 % of the 4,012 messages sent in the last 7 days (pause at 0.30 %).",
    campaigns: ["Spring offers"],
    pausedAt: "2026-05-03T14:05:00Z",
    url: "https://preferences.example.com/admin/units/northwind",
  },
  subject: (data) => `Sending paused for ${data.unitName}`,
  words: (data) => ({
    heading: `Sending paused for ${data.unitName}`,
    preview: data.reason,
    body: (
      <>
        <Paragraph>{`The Preference Center paused ${data.campaigns.length === 1 ? "a campaign" : `${data.campaigns.length} campaigns`} of ${data.unitName} on its own, to protect every unit's delivery.`}</Paragraph>
        <Details
          rows={[
            ["Why", data.reason],
            ["Paused", data.campaigns.join(", ")],
            ["When", formatDateTime(data.pausedAt)],
          ]}
        />
        <Paragraph>{`Look at what came back before resuming: ${data.url}`}</Paragraph>
        <Paragraph>A marketer can resume each campaign from its page. This message is sent once per pause.</Paragraph>
      </>
    ),
  }),
});

export default sendingPaused.Component;
