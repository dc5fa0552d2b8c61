import type { ConsentSource } from "~/generated/prisma/enums.ts";
import { SOURCE_LABEL } from "~/domain/ledger/ledger-query.ts";
import { formatDay, formatShortDay } from "~/utils/format.ts";
import { BarChart } from "./charts/bar-chart.tsx";

// Daily opt-ins (bars up) and opt-outs (bars down) of one unit, each bar split by source, on
// one scale: the kit's bar chart (app/components/charts), with the ledger's own table of the
// same numbers, so screen readers and people without JavaScript get them too.

type Counts = Partial<Record<ConsentSource, number>>;
export type ChartData = {
  unit: { displayName: string } | null;
  from: string;
  to: string;
  days: { day: string; optIns: Counts; optOuts: Counts }[];
  sources: ConsentSource[];
  totals: { optIns: number; optOuts: number };
};

// Okabe–Ito: told apart with the common kinds of colour blindness; segments also get a white edge.
export const SOURCE_COLOUR: Record<ConsentSource, string> = {
  PREFERENCE_CENTER: "#0072B2",
  LINK_PAGE: "#E69F00",
  ONE_CLICK: "#D55E00",
  API: "#009E73",
  IMPORT: "#56B4E9",
  ADMIN: "#CC79A7",
  EXPIRY: "#999999",
  BOUNCE: "#000000",
  COMPLAINT: "#F0E442",
  MAILTO: "#882255",
  PROVIDER: "#44AA99",
};

const sum = (counts: Counts) => Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
const n = (value: number) => value.toLocaleString("en-GB");

/**
 * The scale of each half of the chart. One bar far above the rest (an import, say) would flatten
 * every other bar: then the scale follows the next-highest bar and that one is cut and labelled.
 */
export function halfScale(totals: number[]): { max: number; cut: boolean } {
  const [top = 0, second = 0] = [...totals].sort((a, b) => b - a);
  if (second > 0 && top > 4 * second) return { max: Math.ceil(second * 1.5), cut: true };
  return { max: Math.max(1, top), cut: false };
}

export function LedgerChart({ chart }: { chart: ChartData }) {
  // One scale above and below the line, so opt-ins and opt-outs compare by height.
  const scale = halfScale(chart.days.flatMap((d) => [sum(d.optIns), sum(d.optOuts)]));
  const where = chart.unit ? chart.unit.displayName : "every unit at once (global)";
  const period = `${formatDay(chart.from)} to ${formatDay(chart.to)}`;
  const summary = `${n(chart.totals.optIns)} opt-ins and ${n(chart.totals.optOuts)} opt-outs for ${where}, ${period} (UTC).`;
  const categories = chart.days.map((d) => ({
    key: d.day,
    label: formatShortDay(d.day),
    values: Object.fromEntries(
      chart.sources.flatMap((source) => [
        [`${source}:in`, d.optIns[source] ?? 0],
        [`${source}:out`, d.optOuts[source] ?? 0],
      ]),
    ),
  }));
  const series = chart.sources.flatMap((source) => [
    {
      key: `${source}:in`,
      name: `${SOURCE_LABEL[source]}: in`,
      colour: SOURCE_COLOUR[source],
    },
    {
      key: `${source}:out`,
      name: `${SOURCE_LABEL[source]}: out`,
      colour: SOURCE_COLOUR[source],
      below: true,
    },
  ]);
  return (
    <div className="ledger-chart">
      <BarChart
        id="ledger-chart"
        title="Opt-ins and opt-outs per day"
        caption={
          <>
            <strong>Opt-ins and opt-outs per day</strong>, {where}, {period} (UTC). Opt-ins rise above the line, opt-outs hang below it, on one scale
            {scale.cut ? "; a day far above the others is cut at the edge and labelled with its number" : ""}.
          </>
        }
        description={summary}
        categories={categories}
        series={series}
        max={scale.cut ? scale.max : undefined}
        yLabel="People per day (↑ in, ↓ out)"
        xLabel="Day (UTC)"
        legendLabel="Sources"
        legendItems={chart.sources.map((source) => ({
          key: source,
          colour: SOURCE_COLOUR[source],
          name: SOURCE_LABEL[source],
        }))}
        empty="No opt-ins or opt-outs in this period."
        width={960}
        height={300}
        numbersSummary="The numbers, day by day"
        numbers={
          <table className="staff-table chart-table">
            <caption className="visually-hidden">{summary}</caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col" className="number">
                  Opt-ins
                </th>
                <th scope="col" className="number">
                  Opt-outs
                </th>
                {chart.sources.flatMap((source) => [
                  <th key={`${source}-in`} scope="col" className="number" data-source={source} data-direction="in">
                    {SOURCE_LABEL[source]}: in
                  </th>,
                  <th key={`${source}-out`} scope="col" className="number" data-source={source} data-direction="out">
                    {SOURCE_LABEL[source]}: out
                  </th>,
                ])}
              </tr>
            </thead>
            <tbody>
              {chart.days.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  <td className="number">{n(sum(d.optIns))}</td>
                  <td className="number">{n(sum(d.optOuts))}</td>
                  {chart.sources.flatMap((source) => [
                    <td key={`${source}-in`} className="number">
                      {n(d.optIns[source] ?? 0)}
                    </td>,
                    <td key={`${source}-out`} className="number">
                      {n(d.optOuts[source] ?? 0)}
                    </td>,
                  ])}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td className="number">{n(chart.totals.optIns)}</td>
                <td className="number">{n(chart.totals.optOuts)}</td>
                {chart.sources.flatMap((source) => [
                  <td key={`${source}-in`} className="number">
                    {n(chart.days.reduce((t, d) => t + (d.optIns[source] ?? 0), 0))}
                  </td>,
                  <td key={`${source}-out`} className="number">
                    {n(chart.days.reduce((t, d) => t + (d.optOuts[source] ?? 0), 0))}
                  </td>,
                ])}
              </tr>
            </tfoot>
          </table>
        }
      />
    </div>
  );
}
