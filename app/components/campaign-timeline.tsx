// Messages sent and unsubscribes over the campaign's life: two bar charts of the kit, each on
// its own labelled scale (thousands sent and a handful of unsubscribes would not share one),
// with the same numbers in a table. Server-rendered: no JavaScript needed.

import type { TimelinePoint } from "~/domain/campaigns/campaigns.server.ts";
import { BarChart } from "./charts/bar-chart.tsx";

const time = (iso: string) => iso.slice(11, 16);
const n = (value: number) => value.toLocaleString("en-GB");

/** "minute" or "5 minutes": how long one bar lasts (the buckets are equal, at least a minute). */
function bucketName(points: TimelinePoint[]): string {
  const ms = points.length > 1 ? Date.parse(points[1].at) - Date.parse(points[0].at) : 60_000;
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return minutes === 1 ? "minute" : `${minutes} minutes`;
}

export function CampaignTimeline({ points }: { points: TimelinePoint[] }) {
  if (points.length === 0) return null;
  const per = bucketName(points);
  const categories = points.map((p) => ({
    key: p.at,
    label: time(p.at),
    values: { sent: p.sent, unsubscribes: p.unsubscribes },
  }));
  const from = points[0].at.replace("T", " ").slice(0, 16);
  const sent = points.reduce((t, p) => t + p.sent, 0);
  const unsubscribes = points.reduce((t, p) => t + p.unsubscribes, 0);
  return (
    <div className="campaign-timeline">
      <BarChart
        id="timeline-sent"
        caption={`Messages sent per ${per}, from ${from} UTC`}
        description={`${n(sent)} messages sent in ${points.length} steps of ${per === "minute" ? "a minute" : per}.`}
        categories={categories}
        series={[{ key: "sent", name: "Messages sent", colour: "#0072B2" }]}
        yLabel={`Messages sent per ${per}`}
        xLabel="Time (UTC)"
        categoryHeading="From (UTC)"
        legendLabel="Bars"
        height={240}
        numbersSummary="The numbers: messages sent"
      />
      <BarChart
        id="timeline-unsubscribes"
        caption={`Unsubscribes per ${per}, from ${from} UTC`}
        description={`${n(unsubscribes)} unsubscribes from this campaign's links in the same steps.`}
        categories={categories}
        series={[{ key: "unsubscribes", name: "Unsubscribes", colour: "#D55E00" }]}
        yLabel={`Unsubscribes per ${per}`}
        xLabel="Time (UTC)"
        categoryHeading="From (UTC)"
        legendLabel="Bars"
        empty="No one unsubscribed from this campaign's links."
        height={240}
        numbersSummary="The numbers: unsubscribes"
      />
    </div>
  );
}
