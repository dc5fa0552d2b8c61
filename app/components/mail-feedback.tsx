import type { ComplaintStanding } from "~/domain/feedback/guard-rails.server.ts";
import type { ChartedKind, FeedbackChart, FeedbackFigures } from "~/domain/feedback/rates.server.ts";
import type { ConsentSource } from "~/generated/prisma/enums.ts";
import { KIND_LABEL } from "~/domain/feedback/inbound-query.ts";
import { SOURCE_LABEL } from "~/domain/ledger/ledger-query.ts";
import { formatDay, formatShortDay } from "~/utils/format.ts";
import { BarChart } from "./charts/bar-chart.tsx";

// What came back from sent mail: a campaign's figures, a unit's seven days, the complaint
// warning, and the unit's thirty-day chart (the chart kit, ADR 053). Server-rendered: the SVG,
// its legend and the same numbers in a table need no JavaScript.

const n = (value: number) => value.toLocaleString("en-GB");
const pct = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(2)} %`);

const FIGURES: { key: keyof FeedbackFigures["counts"]; label: string }[] = [
  { key: "HARD_BOUNCE", label: "Hard bounces" },
  { key: "SOFT_BOUNCE", label: "Soft bounces" },
  { key: "POLICY_BOUNCE", label: "Refused by policy" },
  { key: "COMPLAINT", label: "Spam complaints" },
  { key: "unsubscribes", label: "Unsubscribes" },
];

/** The counts and rates of one campaign or one unit's window, as a table (it fits 375 px). */
export function FeedbackFiguresTable({ figures, caption }: { figures: FeedbackFigures; caption: string }) {
  const sources = Object.entries(figures.unsubscribesBySource) as [ConsentSource, number][];
  return (
    <>
      <table className="staff-table feedback-figures">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">What came back</th>
            <th scope="col" className="number">
              Count
            </th>
            <th scope="col" className="number">
              Of {n(figures.sent)} sent
            </th>
          </tr>
        </thead>
        <tbody>
          {FIGURES.map(({ key, label }) => (
            <tr key={key} data-kind={key}>
              <th scope="row">{label}</th>
              <td className="number">{n(figures.counts[key])}</td>
              <td className="number">{pct(figures.rates[key])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {sources.length > 0 ? (
        <p className="hint">Unsubscribes by how: {sources.map(([source, count]) => `${SOURCE_LABEL[source]} ${n(count)}`).join(", ")}.</p>
      ) : null}
    </>
  );
}

/** The unit's complaint warning, or nothing when the rate is under the warn line (or too few were sent to tell). */
export function ComplaintWarning({ standing, unitName, resumable }: { standing: ComplaintStanding; unitName: string; resumable?: boolean }) {
  if (standing.level !== "warn" && standing.level !== "pause") return null;
  return (
    <div className={`form-message ${standing.level === "pause" ? "error" : "warning"}`} role="status" data-testid="complaint-warning">
      <p>
        <strong>{standing.level === "pause" ? `${unitName}: sending pauses itself at this rate.` : `${unitName}: spam complaints are high.`}</strong>{" "}
        {standing.reason}
      </p>
      {resumable ? (
        <p>A campaign resumed while the rate is this high pauses again at the next complaint or hard bounce. Look at who it goes to first.</p>
      ) : null}
    </div>
  );
}

/** "What came back" on a campaign's page. */
export function CampaignFeedbackBlock({ figures }: { figures: FeedbackFigures }) {
  return (
    <section className="staff-panel" aria-labelledby="came-back-heading">
      <h2 id="came-back-heading">What came back</h2>
      <FeedbackFiguresTable figures={figures} caption="Bounces, complaints and unsubscribes from this campaign, over every message it sent" />
      <p className="hint">
        Hard bounces stop all mail to the address; soft bounces do after several in a row; refusals by policy count against the campaign, not the
        address.
      </p>
    </section>
  );
}

/** "Mail feedback, last 7 days" on a unit's admin page, with the thirty-day chart. */
export function UnitFeedbackSection({
  unitName,
  figures,
  standing,
  chart,
}: {
  unitName: string;
  figures: FeedbackFigures & { from: string | Date; to: string | Date };
  standing: ComplaintStanding;
  chart: FeedbackChart;
}) {
  return (
    <section id="feedback" aria-labelledby="feedback-heading" className="unit-section staff-panel">
      <h2 id="feedback-heading">Mail feedback, last 7 days</h2>
      <ComplaintWarning standing={standing} unitName={unitName} />
      {standing.level === "too-few" ? (
        <p className="hint">
          {n(standing.sent)} promotional messages sent in the last 7 days: too few to judge a complaint rate (the guard rails start at 1,000).
        </p>
      ) : null}
      <FeedbackFiguresTable figures={figures} caption={`Promotional mail of ${unitName}, ${formatDay(figures.from)} to ${formatDay(figures.to)}`} />
      <p>
        <a href="/admin/inbound">Every message that came back</a>
      </p>
      <FeedbackChartFigure chart={chart} unitName={unitName} />
    </section>
  );
}

// Okabe–Ito, told apart with the common kinds of colour blindness.
export const KIND_COLOUR: Record<ChartedKind, string> = {
  HARD_BOUNCE: "#D55E00",
  SOFT_BOUNCE: "#E69F00",
  POLICY_BOUNCE: "#CC79A7",
  COMPLAINT: "#000000",
  MAILTO_UNSUBSCRIBE: "#0072B2",
  UNSUBSCRIBE: "#56B4E9",
};

/** Daily stacked bars per kind over thirty days (the kit's bar chart: axes, legend, the day-by-day numbers), with a totals table beside it. */
export function FeedbackChartFigure({ chart, unitName }: { chart: FeedbackChart; unitName: string }) {
  const total = chart.kinds.reduce((t, k) => t + (chart.totals[k] ?? 0), 0);
  const summary = `${n(total)} messages came back to ${unitName} from ${formatDay(chart.from)} to ${formatDay(chart.to)} (UTC): ${
    chart.kinds.map((k) => `${KIND_LABEL[k].toLowerCase()} ${n(chart.totals[k] ?? 0)}`).join(", ") || "none"
  }.`;
  return (
    <div className="feedback-chart">
      <div className="feedback-chart-layout">
        <BarChart
          id="feedback-chart"
          title="What came back per day"
          caption={
            <>
              <strong>What came back per day</strong>, last 30 days (UTC), all of {unitName}&apos;s mail.
            </>
          }
          description={summary}
          categories={chart.days.map((d) => ({
            key: d.day,
            label: formatShortDay(d.day),
            values: d.counts,
          }))}
          series={chart.kinds.map((kind) => ({
            key: kind,
            name: KIND_LABEL[kind],
            colour: KIND_COLOUR[kind],
          }))}
          yLabel="Messages per day"
          xLabel="Day (UTC)"
          legendLabel="Kinds"
          empty="Nothing came back in these 30 days."
          numbersSummary="The numbers, day by day"
        />
        <table className="staff-table feedback-totals">
          <caption>Totals, last 30 days</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col" className="number">
                Messages
              </th>
            </tr>
          </thead>
          <tbody>
            {(Object.keys(KIND_COLOUR) as ChartedKind[]).map((kind) => (
              <tr key={kind}>
                <th scope="row">
                  <span className="swatch" style={{ background: KIND_COLOUR[kind] }} aria-hidden="true" /> {KIND_LABEL[kind]}
                </th>
                <td className="number">{n(chart.totals[kind] ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
