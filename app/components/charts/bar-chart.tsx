import { AxisBottom, AxisLeft } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { Bar } from "@visx/shape";
import type { ReactNode } from "react";
import { AXIS_COLOUR, AXIS_LABEL, ChartFigure, LEFT_TICK_LABEL, TICK_LABEL, type Series } from "./chart-figure.tsx";

// Bars per category (a day, a time slot) on ONE scale, one segment per series stacked; series
// marked `below` hang under the zero line on the same scale (opt-ins up, opt-outs down), so
// heights compare. Server-rendered with visx: plain SVG, no DOM, no JavaScript.

export type BarSeries = Series & { below?: boolean };
export type BarCategory = {
  key: string;
  label: string;
  values: Record<string, number>;
};

const n = (value: number) => value.toLocaleString("en-GB");

export function BarChart({
  id,
  title,
  caption,
  description,
  categories,
  series,
  yLabel,
  xLabel,
  categoryHeading,
  max,
  legendLabel = "Series",
  legendItems,
  numbers,
  numbersSummary,
  empty = "Nothing to draw in this period.",
  width = 720,
  height = 240,
}: {
  id: string;
  title?: string;
  caption: ReactNode;
  description: string;
  categories: BarCategory[];
  series: BarSeries[];
  /** The unit of the bars' height, e.g. "Messages per day". */
  yLabel: string;
  /** The unit of the categories, e.g. "Day (UTC)". */
  xLabel: string;
  categoryHeading?: string;
  /**
   * The top of the scale, when it should not follow the highest bar (a bar far above the rest
   * would flatten every other): a bar over it is cut at the edge and labelled with its number.
   */
  max?: number;
  legendLabel?: string;
  /** The legend, when several series share a colour (a source above and below the line). */
  legendItems?: Series[];
  /** The page's own table of the same numbers, in place of the one drawn from the series. */
  numbers?: ReactNode | false;
  numbersSummary?: string;
  empty?: string;
  width?: number;
  height?: number;
}) {
  const margin = { top: 16, right: 12, bottom: 46, left: 64 };
  const innerWidth = width - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  const total = (c: BarCategory, below: boolean) => series.filter((s) => !!s.below === below).reduce((t, s) => t + (c.values[s.key] ?? 0), 0);
  const hasBelow = series.some((s) => s.below);
  const highest = Math.max(1, ...categories.flatMap((c) => [total(c, false), total(c, true)]));
  const top = max ?? highest;
  const x = scaleBand({
    domain: categories.map((c) => c.key),
    range: [0, innerWidth],
    padding: 0.25,
  });
  const y = scaleLinear({
    domain: [hasBelow ? -top : 0, top],
    range: [innerHeight, 0],
    nice: max === undefined,
  });
  const labelOf = new Map(categories.map((c) => [c.key, c.label]));
  // At most about eight labels under the bars, however many days there are.
  const every = Math.max(1, Math.ceil(categories.length / 8));
  const tickValues = categories.filter((_, i) => i % every === 0 || i === categories.length - 1).map((c) => c.key);
  // Counts have no halves: only whole-number ticks. A bar is at most 40 units wide, centred in its slot.
  const yTicks = y.ticks(hasBelow ? 6 : 5).filter((v) => Number.isInteger(v));
  const barWidth = Math.min(x.bandwidth(), 40);
  const barLeft = (key: string) => (x(key) ?? 0) + (x.bandwidth() - barWidth) / 2;
  const drawn = series.filter((s) => categories.some((c) => (c.values[s.key] ?? 0) > 0));

  return (
    <ChartFigure
      id={id}
      title={title}
      caption={caption}
      description={description}
      width={width}
      height={height}
      legend={{ label: legendLabel, items: legendItems ?? drawn, empty }}
      numbersSummary={numbersSummary}
      numbers={
        numbers !== undefined ? (
          numbers
        ) : (
          <table className="staff-table chart-table">
            <caption className="visually-hidden">{description}</caption>
            <thead>
              <tr>
                <th scope="col">{categoryHeading ?? xLabel}</th>
                {series.map((s) => (
                  <th key={s.key} scope="col" className="number" data-series={s.key}>
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {categories.map((c) => (
                <tr key={c.key}>
                  <th scope="row">{c.label}</th>
                  {series.map((s) => (
                    <td key={s.key} className="number">
                      {n(c.values[s.key] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                {series.map((s) => (
                  <td key={s.key} className="number">
                    {n(categories.reduce((t, c) => t + (c.values[s.key] ?? 0), 0))}
                  </td>
                ))}
              </tr>
            </tfoot>
          </table>
        )
      }
    >
      <Group left={margin.left} top={margin.top}>
        {categories.map((c) => {
          const left = barLeft(c.key);
          return [false, true].map((below) => {
            const sum = total(c, below);
            if (sum === 0) return null;
            const cut = sum > top;
            // A cut bar keeps its segments' shares, squeezed to the edge of the scale.
            const squeeze = cut ? top / sum : 1;
            let offset = 0;
            const zero = y(0);
            return (
              <g key={`${c.key}-${below ? "below" : "above"}`} data-category={c.key} className={cut ? "cut" : undefined}>
                {series
                  .filter((s) => !!s.below === below)
                  .map((s) => {
                    const value = (c.values[s.key] ?? 0) * squeeze;
                    if (value === 0) return null;
                    const h = Math.abs(y(value) - zero);
                    const yTop = below ? zero + offset : zero - offset - h;
                    offset += h;
                    return (
                      <Bar key={s.key} x={left} y={yTop} width={barWidth} height={h} fill={s.colour} stroke="#fff" strokeWidth={0.5}>
                        <title>{`${c.label}: ${s.name} ${n(c.values[s.key] ?? 0)}`}</title>
                      </Bar>
                    );
                  })}
                {cut ? (
                  <text
                    x={left + barWidth / 2}
                    y={below ? innerHeight - 4 : 10}
                    fontSize={11}
                    fontWeight={700}
                    textAnchor="middle"
                    fill="#fff"
                    stroke="#1f2430"
                    strokeWidth={3}
                    paintOrder="stroke"
                  >
                    {n(sum)}
                  </text>
                ) : null}
              </g>
            );
          });
        })}
        <AxisLeft
          scale={y}
          tickValues={yTicks}
          stroke={AXIS_COLOUR}
          tickStroke={AXIS_COLOUR}
          tickFormat={(v) => n(Math.abs(Number(v)))}
          tickLabelProps={() => LEFT_TICK_LABEL}
          label={yLabel}
          labelProps={{ ...AXIS_LABEL, textAnchor: "middle" }}
          labelOffset={40}
        />
        <AxisBottom
          top={hasBelow ? y(0) : innerHeight}
          scale={x}
          tickValues={hasBelow ? [] : tickValues}
          hideTicks={hasBelow}
          stroke={AXIS_COLOUR}
          tickStroke={AXIS_COLOUR}
          tickFormat={(key) => labelOf.get(String(key)) ?? String(key)}
          tickLabelProps={() => ({ ...TICK_LABEL, textAnchor: "middle" })}
        />
        {hasBelow ? (
          <AxisBottom
            top={innerHeight}
            scale={x}
            tickValues={tickValues}
            stroke={AXIS_COLOUR}
            tickStroke={AXIS_COLOUR}
            tickFormat={(key) => labelOf.get(String(key)) ?? String(key)}
            tickLabelProps={() => ({ ...TICK_LABEL, textAnchor: "middle" })}
          />
        ) : null}
        <text x={innerWidth / 2} y={innerHeight + 38} textAnchor="middle" {...AXIS_LABEL}>
          {xLabel}
        </text>
      </Group>
    </ChartFigure>
  );
}
