import { AxisBottom, AxisLeft } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleLinear, scaleUtc } from "@visx/scale";
import { LinePath } from "@visx/shape";
import type { ReactNode } from "react";
import { AXIS_COLOUR, AXIS_LABEL, ChartFigure, LEFT_TICK_LABEL, TICK_LABEL, type Series } from "./chart-figure.tsx";

// Rates (shares of what was sent) of events in time, e.g. campaigns by send date: one mark per
// event and series, joined by a thin line, on ONE percent scale. Each series has its own mark
// shape as well as its colour, so it reads in greyscale too.

export type RateSeries = Series & { shape: "circle" | "square" | "triangle" };
export type RatePoint = {
  key: string;
  at: Date;
  label: string;
  rates: Record<string, number | null>;
};

const pct = (rate: number) => `${(rate * 100).toLocaleString("en-GB", { maximumFractionDigits: 2 })} %`;
const dayLabel = (date: Date) =>
  date.toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });

function Mark({ shape, x, y, colour, children }: { shape: RateSeries["shape"]; x: number; y: number; colour: string; children: ReactNode }) {
  if (shape === "square")
    return (
      <rect x={x - 4} y={y - 4} width={8} height={8} fill={colour} stroke="#fff" strokeWidth={1}>
        {children}
      </rect>
    );
  if (shape === "triangle")
    return (
      <path d={`M${x} ${y - 5} L${x + 5} ${y + 4} L${x - 5} ${y + 4} Z`} fill={colour} stroke="#fff" strokeWidth={1}>
        {children}
      </path>
    );
  return (
    <circle cx={x} cy={y} r={4.5} fill={colour} stroke="#fff" strokeWidth={1}>
      {children}
    </circle>
  );
}

export function RateChart({
  id,
  caption,
  description,
  points,
  series,
  yLabel,
  xLabel,
  domain,
  numbers,
  width = 720,
  height = 260,
}: {
  id: string;
  caption: ReactNode;
  description: string;
  points: RatePoint[];
  series: RateSeries[];
  yLabel: string;
  xLabel: string;
  /** The time axis' ends (the range asked for), so an empty stretch shows as empty. */
  domain: [Date, Date];
  /** The table of the same numbers (the page's own, with more columns). */
  numbers: ReactNode | false;
  width?: number;
  height?: number;
}) {
  const margin = { top: 16, right: 20, bottom: 46, left: 64 };
  const innerWidth = width - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  const highest = Math.max(0.001, ...points.flatMap((p) => series.map((s) => p.rates[s.key] ?? 0)));
  const x = scaleUtc({ domain, range: [0, innerWidth] });
  const y = scaleLinear({
    domain: [0, highest],
    range: [innerHeight, 0],
    nice: true,
  });
  return (
    <ChartFigure
      id={id}
      caption={caption}
      description={description}
      width={width}
      height={height}
      legend={{ label: "Rates", items: series, empty: "" }}
      numbers={numbers}
    >
      <Group left={margin.left} top={margin.top}>
        {series.map((s) => {
          const marked = points.filter((p) => p.rates[s.key] !== null && p.rates[s.key] !== undefined);
          return (
            <g key={s.key} data-series={s.key}>
              <LinePath data={marked} x={(p) => x(p.at)} y={(p) => y(p.rates[s.key] ?? 0)} stroke={s.colour} strokeWidth={1.5} strokeOpacity={0.6} />
              {marked.map((p) => (
                <Mark key={p.key} shape={s.shape} x={x(p.at)} y={y(p.rates[s.key] ?? 0)} colour={s.colour}>
                  <title>{`${p.label}: ${s.name} ${pct(p.rates[s.key] ?? 0)}`}</title>
                </Mark>
              ))}
            </g>
          );
        })}
        <AxisLeft
          scale={y}
          numTicks={5}
          stroke={AXIS_COLOUR}
          tickStroke={AXIS_COLOUR}
          tickFormat={(v) => pct(Number(v))}
          tickLabelProps={() => LEFT_TICK_LABEL}
          label={yLabel}
          labelProps={{ ...AXIS_LABEL, textAnchor: "middle" }}
          labelOffset={44}
        />
        <AxisBottom
          top={innerHeight}
          scale={x}
          numTicks={6}
          stroke={AXIS_COLOUR}
          tickStroke={AXIS_COLOUR}
          tickFormat={(d) => dayLabel(d as Date)}
          tickLabelProps={() => ({ ...TICK_LABEL, textAnchor: "middle" })}
        />
        <text x={innerWidth / 2} y={innerHeight + 38} textAnchor="middle" {...AXIS_LABEL}>
          {xLabel}
        </text>
      </Group>
    </ChartFigure>
  );
}
