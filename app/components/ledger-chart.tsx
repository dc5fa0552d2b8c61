import type { ConsentSource } from "~/generated/prisma/enums.ts";
import { SOURCE_LABEL } from "~/domain/ledger/ledger-query.ts";
import { formatDay, formatShortDay } from "~/utils/format.ts";
import { ChartLegend } from "./chart-legend.tsx";

// Daily opt-ins (bars up) and opt-outs (bars down) of one unit, each bar split by source.
// Server-rendered SVG like the campaign timeline, with an HTML legend and the same numbers in
// a table, so screen readers and people without JavaScript get them too.

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
  const width = 960;
  const half = 100;
  const left = 48;
  const right = 12;
  const top = 18;
  const plotWidth = width - left - right;
  const slot = plotWidth / chart.days.length;
  const barWidth = Math.max(1, Math.min(28, slot * 0.72));
  // One scale above and below the line, so opt-ins and opt-outs compare by height.
  const scale = halfScale(chart.days.flatMap((d) => [sum(d.optIns), sum(d.optOuts)]));
  const axisY = top + half;
  const where = chart.unit ? chart.unit.displayName : "every unit at once (global)";
  const period = `${formatDay(chart.from)} to ${formatDay(chart.to)}`;
  const summary = `${n(chart.totals.optIns)} opt-ins and ${n(chart.totals.optOuts)} opt-outs for ${where}, ${period} (UTC).`;
  const ticks = [0, Math.floor((chart.days.length - 1) / 2), chart.days.length - 1].filter((i, k, all) => all.indexOf(i) === k);

  /** One day's bar on one side of the line: a segment per source, cut at the edge if the day is off the scale. */
  const bar = (counts: Counts, x: number, up: boolean, day: string) => {
    const total = sum(counts);
    if (total === 0) return null;
    const cut = total > scale.max;
    const unit = cut ? half / total : half / scale.max;
    let offset = 0;
    const rects = chart.sources.map((source) => {
      const value = counts[source] ?? 0;
      if (value === 0) return null;
      const h = value * unit;
      const y = up ? axisY - offset - h : axisY + offset;
      offset += h;
      return <rect key={source} x={x} y={y} width={barWidth} height={h} fill={SOURCE_COLOUR[source]} stroke="#fff" strokeWidth={0.6} />;
    });
    const edge = up ? top : axisY + half;
    const nearRight = x + barWidth + 40 > width;
    return (
      <g key={`${day}-${up ? "in" : "out"}`}>
        {rects}
        {cut ? (
          <>
            <path
              d={`M${x - 1} ${edge + (up ? 9 : -9)} l${barWidth / 2 + 1} -4 l${barWidth / 2 + 1} 4`}
              stroke="#fff"
              strokeWidth={2.5}
              fill="none"
            />
            <text
              x={nearRight ? x - 3 : x + barWidth + 3}
              y={up ? edge + 10 : edge - 3}
              fontSize={12}
              fontWeight={700}
              textAnchor={nearRight ? "end" : "start"}
              fill="currentColor"
            >
              {n(total)}
            </text>
          </>
        ) : null}
      </g>
    );
  };

  return (
    <figure className="ledger-chart">
      <figcaption>
        <strong>Opt-ins and opt-outs per day</strong>, {where}, {period} (UTC). Opt-ins rise above the line, opt-outs hang below it
        {scale.cut ? "; a day far above the others is cut at the edge and labelled with its number" : ""}.
      </figcaption>
      <div className="chart-scroll" role="region" aria-label="Chart (scrolls sideways on a narrow screen)" tabIndex={0}>
        <svg viewBox={`0 0 ${width} ${top + 2 * half + 30}`} role="img" aria-label={`${summary} The numbers are in the table below the chart.`}>
          <text x={left - 6} y={top + 4} fontSize={12} textAnchor="end" fill="currentColor">
            {n(scale.max)}
          </text>
          <text x={left - 6} y={axisY + 4} fontSize={12} textAnchor="end" fill="currentColor">
            0
          </text>
          <text x={left - 6} y={axisY + half} fontSize={12} textAnchor="end" fill="currentColor">
            {n(scale.max)}
          </text>
          <text x={left + 6} y={top - 6} fontSize={12} fill="currentColor">
            ↑ opt-ins
          </text>
          <text x={left + 6} y={axisY + half + 14} fontSize={12} fill="currentColor">
            ↓ opt-outs
          </text>
          <line x1={left} x2={left} y1={top} y2={axisY + half} stroke="#c4cad4" />
          {chart.days.map((d, i) => {
            const x = left + i * slot + (slot - barWidth) / 2;
            return (
              <g key={d.day}>
                {bar(d.optIns, x, true, d.day)}
                {bar(d.optOuts, x, false, d.day)}
              </g>
            );
          })}
          <line x1={left} x2={width - right} y1={axisY} y2={axisY} stroke="#5b6475" />
          {ticks.map((i) => (
            <text
              key={i}
              x={left + i * slot + slot / 2}
              y={axisY + half + 26}
              fontSize={12}
              fill="currentColor"
              textAnchor={i === 0 && chart.days.length > 1 ? "start" : i === chart.days.length - 1 && chart.days.length > 1 ? "end" : "middle"}
            >
              {formatShortDay(chart.days[i].day)}
            </text>
          ))}
        </svg>
      </div>
      <ChartLegend
        label="Sources"
        items={chart.sources.map((source) => ({ key: source, colour: SOURCE_COLOUR[source], name: SOURCE_LABEL[source] }))}
        empty="No opt-ins or opt-outs in this period."
      />
      <details className="chart-numbers">
        <summary>The numbers, day by day</summary>
        <div className="table-scroll" role="region" aria-label="Opt-ins and opt-outs per day and source" tabIndex={0}>
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
        </div>
      </details>
    </figure>
  );
}
