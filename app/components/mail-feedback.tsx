import type { ComplaintStanding } from "~/domain/feedback/guard-rails.server.ts";
import type { ChartedKind, FeedbackChart, FeedbackFigures } from "~/domain/feedback/rates.server.ts";
import type { ConsentSource } from "~/generated/prisma/enums.ts";
import { KIND_LABEL } from "~/domain/feedback/inbound-query.ts";
import { SOURCE_LABEL } from "~/domain/ledger/ledger-query.ts";
import { formatDay, formatShortDay } from "~/utils/format.ts";
import { ChartLegend } from "./chart-legend.tsx";

// What came back from sent mail: a campaign's figures, a unit's seven days, the complaint
// warning, and the unit's thirty-day chart. Server-rendered: the SVG, its legend and the same
// numbers in a table need no JavaScript.

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
        <p className="hint">
          Unsubscribes by how: {sources.map(([source, count]) => `${SOURCE_LABEL[source]} ${n(count)}`).join(", ")}.
        </p>
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

/** Daily stacked bars per kind over thirty days, with axes, a legend and a table of the same numbers beside it. */
export function FeedbackChartFigure({ chart, unitName }: { chart: FeedbackChart; unitName: string }) {
  const width = 720;
  const height = 180;
  const left = 40;
  const right = 10;
  const top = 12;
  const bottom = 28;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const slot = plotWidth / chart.days.length;
  const barWidth = Math.max(1, slot * 0.7);
  const dayTotal = (counts: Partial<Record<ChartedKind, number>>) => chart.kinds.reduce((t, k) => t + (counts[k] ?? 0), 0);
  const max = Math.max(1, ...chart.days.map((d) => dayTotal(d.counts)));
  const y = (value: number) => top + plotHeight - (value / max) * plotHeight;
  const ticks = [0, Math.floor((chart.days.length - 1) / 2), chart.days.length - 1].filter((i, k, all) => all.indexOf(i) === k);
  const total = chart.kinds.reduce((t, k) => t + (chart.totals[k] ?? 0), 0);
  const summary = `${n(total)} messages came back to ${unitName} from ${formatDay(chart.from)} to ${formatDay(chart.to)} (UTC): ${
    chart.kinds.map((k) => `${KIND_LABEL[k].toLowerCase()} ${n(chart.totals[k] ?? 0)}`).join(", ") || "none"
  }.`;

  return (
    <figure className="feedback-chart">
      <figcaption>
        <strong>What came back per day</strong>, last 30 days (UTC), all of {unitName}&apos;s mail.
      </figcaption>
      <div className="feedback-chart-layout">
        <div className="chart-scroll" role="region" aria-label="Chart (scrolls sideways on a narrow screen)" tabIndex={0}>
          <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${summary} The numbers are in the table beside the chart.`}>
            <line x1={left} x2={left} y1={top} y2={top + plotHeight} stroke="#5b6475" />
            <line x1={left} x2={width - right} y1={top + plotHeight} y2={top + plotHeight} stroke="#5b6475" />
            {[0, Math.round(max / 2), max]
              .filter((v, i, all) => all.indexOf(v) === i)
              .map((v) => (
                <g key={v}>
                  <line x1={left - 4} x2={left} y1={y(v)} y2={y(v)} stroke="#5b6475" />
                  <text x={left - 6} y={y(v) + 4} fontSize={11} textAnchor="end" fill="currentColor">
                    {n(v)}
                  </text>
                </g>
              ))}
            {chart.days.map((d, i) => {
              let stacked = 0;
              const x = left + i * slot + (slot - barWidth) / 2;
              return (
                <g key={d.day} data-day={d.day}>
                  {chart.kinds.map((kind) => {
                    const value = d.counts[kind] ?? 0;
                    if (value === 0) return null;
                    const rect = (
                      <rect key={kind} x={x} y={y(stacked + value)} width={barWidth} height={y(stacked) - y(stacked + value)} fill={KIND_COLOUR[kind]} stroke="#fff" strokeWidth={0.5}>
                        <title>{`${d.day}: ${KIND_LABEL[kind]} ${n(value)}`}</title>
                      </rect>
                    );
                    stacked += value;
                    return rect;
                  })}
                </g>
              );
            })}
            {ticks.map((i) => (
              <text
                key={i}
                x={left + i * slot + slot / 2}
                y={height - 8}
                fontSize={11}
                fill="currentColor"
                textAnchor={i === 0 && chart.days.length > 1 ? "start" : i === chart.days.length - 1 && chart.days.length > 1 ? "end" : "middle"}
              >
                {formatShortDay(chart.days[i].day)}
              </text>
            ))}
          </svg>
        </div>
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
      <ChartLegend
        label="Kinds"
        items={chart.kinds.map((kind) => ({ key: kind, colour: KIND_COLOUR[kind], name: KIND_LABEL[kind] }))}
        empty="Nothing came back in these 30 days."
      />
      <details className="chart-numbers">
        <summary>The numbers, day by day</summary>
        <div className="table-scroll" role="region" aria-label="What came back per day and kind" tabIndex={0}>
          <table className="staff-table chart-table">
            <caption className="visually-hidden">{summary}</caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                {chart.kinds.map((kind) => (
                  <th key={kind} scope="col" className="number">
                    {KIND_LABEL[kind]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {chart.days.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  {chart.kinds.map((kind) => (
                    <td key={kind} className="number">
                      {n(d.counts[kind] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
