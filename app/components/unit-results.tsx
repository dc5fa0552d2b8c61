import type { CampaignResult, UnitResults } from "~/domain/reports/unit-results.server.ts";
import { BarChart } from "./charts/bar-chart.tsx";
import { RateChart, type RateSeries } from "./charts/rate-chart.tsx";
import { formatDay } from "~/utils/format.ts";

// The per-unit dashboard's body: the three rates per campaign on one percent scale, audience
// size per campaign on its own scale (people, not a share), and one table of every number.

type Results = Omit<UnitResults, "campaigns"> & { campaigns: CampaignResult[] };

const n = (value: number | null) => (value === null ? "—" : value.toLocaleString("en-GB"));
const pct = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(2)} %`);

// Okabe–Ito, as on the other charts; each rate also has its own mark shape.
const RATES: (RateSeries & {
  field: "unsubscribeRate" | "bounceRate" | "complaintRate";
})[] = [
  {
    key: "unsubscribe",
    name: "Unsubscribe rate",
    colour: "#0072B2",
    shape: "circle",
    field: "unsubscribeRate",
  },
  {
    key: "bounce",
    name: "Bounce rate",
    colour: "#D55E00",
    shape: "square",
    field: "bounceRate",
  },
  {
    key: "complaint",
    name: "Complaint rate",
    colour: "#000000",
    shape: "triangle",
    field: "complaintRate",
  },
];

export function ResultsTable({ results }: { results: Results }) {
  return (
    <div className="table-scroll" role="region" aria-label="Results per campaign (scrolls sideways on a narrow screen)" tabIndex={0}>
      <table className="staff-table chart-table results-table">
        <caption>
          Campaigns of {results.unit.displayName} that started from {formatDay(results.period.from)} to {formatDay(results.period.to)} (UTC)
        </caption>
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <th scope="col">Sent on (UTC)</th>
            <th scope="col" className="number">
              Audience
            </th>
            <th scope="col" className="number">
              Sent
            </th>
            <th scope="col" className="number">
              Unsubscribe rate
            </th>
            <th scope="col" className="number">
              Bounce rate
            </th>
            <th scope="col" className="number">
              Complaint rate
            </th>
          </tr>
        </thead>
        <tbody>
          {results.campaigns.map((c) => (
            <tr key={c.id} data-campaign={c.id}>
              <th scope="row">
                <a href={`/campaigns/${c.id}`}>{c.name}</a>
              </th>
              <td>{c.sentOn}</td>
              <td className="number">{n(c.audience)}</td>
              <td className="number">{n(c.sent)}</td>
              <td className="number" title={`${n(c.unsubscribes)} unsubscribes`}>
                {pct(c.unsubscribeRate)} <span className="count">({n(c.unsubscribes)})</span>
              </td>
              <td className="number">
                {pct(c.bounceRate)} <span className="count">({n(c.bounces)})</span>
              </td>
              <td className="number">
                {pct(c.complaintRate)} <span className="count">({n(c.complaints)})</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function UnitResultsCharts({ results }: { results: Results }) {
  const { campaigns, period, unit } = results;
  const label = (c: CampaignResult) => `${c.name} (${c.sentOn})`;
  // Read out in full for a few campaigns; past that the table under the charts is the better read.
  const listed = campaigns.length <= 12;
  return (
    <div className="results-charts">
      <RateChart
        id="results-rates"
        caption="Unsubscribe, bounce and complaint rates per campaign, by send date (UTC)"
        description={`Rates of ${campaigns.length} campaigns of ${unit.displayName}, each over the messages it sent: ${campaigns
          .map((c) => `${label(c)}: unsubscribes ${pct(c.unsubscribeRate)}, bounces ${pct(c.bounceRate)}, complaints ${pct(c.complaintRate)}`)
          .join("; ")}.`}
        domain={[new Date(`${period.from}T00:00:00Z`), new Date(`${period.to}T23:59:59Z`)]}
        points={campaigns.map((c) => ({
          key: String(c.id),
          at: new Date(c.startedAt),
          label: label(c),
          rates: Object.fromEntries(RATES.map((r) => [r.key, c[r.field]])),
        }))}
        series={RATES}
        yLabel="Share of messages sent"
        xLabel="Send date (UTC)"
        numbers={false}
      />
      <BarChart
        id="results-audience"
        caption="Audience size per campaign, by send date (UTC)"
        description={`People in the audience of each of ${campaigns.length} campaigns when it started${
          listed ? `: ${campaigns.map((c) => `${label(c)} ${n(c.audience)}`).join("; ")}` : ""
        }.`}
        categories={campaigns.map((c) => ({
          key: String(c.id),
          label: c.sentOn.slice(5),
          values: { audience: c.audience ?? 0 },
        }))}
        series={[{ key: "audience", name: "Audience (people)", colour: "#009E73" }]}
        yLabel="People"
        xLabel="Send date (UTC), one bar per campaign"
        categoryHeading="Campaign"
        legendLabel="Bars"
        height={220}
        numbers={false}
      />
    </div>
  );
}
