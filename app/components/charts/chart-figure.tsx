import type { ReactNode } from "react";
import { ChartLegend } from "../chart-legend.tsx";

// The frame every chart of the kit shares: a caption, the SVG as one image with a title and a
// description a screen reader reads, a legend in HTML, and the plotted numbers in a table (in a
// <details>), so each number is readable without the picture and without JavaScript.
// docs/decisions/053-server-rendered-chart-kit.md.

export type Series = { key: string; name: string; colour: string };

export const AXIS_COLOUR = "#5b6475";
export const TICK_LABEL = {
  fill: "currentColor",
  fontSize: 11,
  fontFamily: "inherit",
} as const;
/** Tick labels of a left axis: right-aligned against the axis, centred on their tick. */
export const LEFT_TICK_LABEL = { ...TICK_LABEL, textAnchor: "end", dx: -4, dy: "0.33em" } as const;

export const AXIS_LABEL = {
  fill: "currentColor",
  fontSize: 12,
  fontFamily: "inherit",
  fontWeight: 600,
} as const;

export function ChartFigure({
  id,
  title,
  caption,
  description,
  width,
  height,
  legend,
  numbers,
  numbersSummary = "The numbers",
  children,
}: {
  /** Unique on the page: names the title and description the SVG points at. */
  id: string;
  /** The image's short name; the caption when that is plain text. */
  title?: string;
  caption: ReactNode;
  /** What the chart shows, in words: read out in place of the picture. */
  description: string;
  width: number;
  height: number;
  legend: { label: string; items: Series[]; empty: string };
  /** The plotted numbers as a table; false when the page shows them in a table right under the chart. */
  numbers: ReactNode | false;
  numbersSummary?: string;
  children: ReactNode;
}) {
  return (
    <figure className="kit-chart" data-chart={id}>
      <figcaption>{caption}</figcaption>
      {/* On a phone the picture keeps a readable size and scrolls sideways in its own region; the page never does. */}
      <div
        className="kit-chart-scroll"
        role="region"
        aria-label={`${title ?? (typeof caption === "string" ? caption : "Chart")} (scrolls sideways on a narrow screen)`}
        tabIndex={0}
      >
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="kit-chart-svg">
          <title id={`${id}-title`}>{title ?? (typeof caption === "string" ? caption : "Chart")}</title>
          <desc id={`${id}-desc`}>{`${description} The numbers are in the table under the chart.`}</desc>
          {children}
        </svg>
      </div>
      <ChartLegend
        label={legend.label}
        items={legend.items.map((s) => ({
          key: s.key,
          colour: s.colour,
          name: s.name,
        }))}
        empty={legend.empty}
      />
      <details className="chart-numbers">
        <summary>{numbersSummary}</summary>
        <div className="table-scroll" role="region" aria-label={`${numbersSummary}: table`} tabIndex={0}>
          {numbers}
        </div>
      </details>
    </figure>
  );
}
