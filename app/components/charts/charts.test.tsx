import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CampaignTimeline } from "../campaign-timeline.tsx";
import { LedgerChart } from "../ledger-chart.tsx";
import { BarChart } from "./bar-chart.tsx";
import { RateChart } from "./rate-chart.tsx";

// The chart kit renders on the server with no DOM: plain SVG with axes, their units, a legend
// and a table of the same numbers, one image with a title and a description.

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, " ");

function expectAccessibleChart(html: string, id: string) {
  expect(html).toMatch(new RegExp(`<svg[^>]*role="img"[^>]*aria-labelledby="${id}-title ${id}-desc"`));
  expect(html).toContain(`<title id="${id}-title">`);
  expect(html).toContain(`<desc id="${id}-desc">`);
  expect(html).toContain("visx-axis-left");
  expect(html).toContain("visx-axis-bottom");
  expect(html).toContain('class="chart-legend"');
  expect(html).toContain("<table");
}

describe("the bar chart", () => {
  it("draws stacked bars on one scale with both axes, their units, a legend and the numbers", () => {
    const html = renderToString(
      <BarChart
        id="t"
        caption="Messages per day"
        description="Sent and failed per day."
        yLabel="Messages per day"
        xLabel="Day (UTC)"
        series={[
          { key: "sent", name: "Sent", colour: "#0072B2" },
          { key: "failed", name: "Failed", colour: "#D55E00" },
        ]}
        categories={[
          {
            key: "2026-03-01",
            label: "1 Mar",
            values: { sent: 40, failed: 2 },
          },
          { key: "2026-03-02", label: "2 Mar", values: { sent: 10 } },
        ]}
      />,
    );
    expectAccessibleChart(html, "t");
    const words = text(html);
    expect(words).toContain("Messages per day");
    expect(words).toContain("Day (UTC)");
    expect(words).toMatch(/Sent\s+Failed/);
    expect(words).toContain("1 Mar 40 2");
    expect(words).toContain("Total 50 2");
    expect((html.match(/<rect[^>]*class="visx-bar"/g) ?? []).length).toBe(3);
  });

  it("cuts a bar above a fixed top of the scale and labels it with its number", () => {
    const html = renderToString(
      <BarChart
        id="cut"
        caption="c"
        description="d"
        yLabel="People per day"
        xLabel="Day (UTC)"
        max={10}
        series={[{ key: "in", name: "Opt-ins", colour: "#0072B2" }]}
        categories={[
          { key: "a", label: "a", values: { in: 5_000 } },
          { key: "b", label: "b", values: { in: 6 } },
        ]}
      />,
    );
    expect(html).toContain('class="cut"');
    expect(text(html)).toContain("5,000");
  });
});

describe("the rate chart", () => {
  it("marks each point on one percent scale, with axes, a legend and the page's table", () => {
    const html = renderToString(
      <RateChart
        id="r"
        caption="Rates per campaign"
        description="Rates."
        yLabel="Share of messages sent"
        xLabel="Send date (UTC)"
        domain={[new Date("2026-03-01T00:00:00Z"), new Date("2026-03-31T00:00:00Z")]}
        series={[
          {
            key: "unsubscribe",
            name: "Unsubscribe rate",
            colour: "#0072B2",
            shape: "circle",
          },
          {
            key: "complaint",
            name: "Complaint rate",
            colour: "#000000",
            shape: "square",
          },
        ]}
        points={[
          {
            key: "1",
            at: new Date("2026-03-10T10:00:00Z"),
            label: "March",
            rates: { unsubscribe: 0.015, complaint: 0.005 },
          },
        ]}
        numbers={<table />}
      />,
    );
    expectAccessibleChart(html, "r");
    const words = text(html);
    expect(words).toContain("Share of messages sent");
    expect(words).toContain("Send date (UTC)");
    expect(words).toContain("March: Unsubscribe rate 1.5 %");
    expect(words).toMatch(/\d %/);
  });
});

describe("the charts on the pages", () => {
  it("the campaign's timeline: sent and unsubscribes, each on its own labelled scale", () => {
    const html = renderToString(
      <CampaignTimeline
        points={[
          { at: "2026-03-01T10:00:00.000Z", sent: 120, unsubscribes: 0 },
          { at: "2026-03-01T10:01:00.000Z", sent: 80, unsubscribes: 2 },
        ]}
      />,
    );
    expect((html.match(/visx-axis-left/g) ?? []).length).toBe(2);
    const words = text(html);
    expect(words).toContain("Messages sent per minute");
    expect(words).toContain("Unsubscribes per minute");
    expect(words).toContain("Time (UTC)");
    // Counts tick in whole numbers: two unsubscribes are never split into halves.
    const unsubscribeAxis = html.slice(html.indexOf('data-chart="timeline-unsubscribes"'));
    expect(text(unsubscribeAxis.slice(unsubscribeAxis.indexOf("visx-axis-left"), unsubscribeAxis.indexOf("visx-axis-bottom")))).not.toMatch(/\d\.\d/);
  });

  it("the ledger's opt-ins and opt-outs: one scale above and below the line, with axes", () => {
    const html = renderToString(
      <LedgerChart
        chart={{
          unit: { displayName: "Northwind" },
          from: "2026-03-01",
          to: "2026-03-02",
          days: [
            {
              day: "2026-03-01",
              optIns: { IMPORT: 4 },
              optOuts: { ONE_CLICK: 2 },
            },
            {
              day: "2026-03-02",
              optIns: {},
              optOuts: { PREFERENCE_CENTER: 1 },
            },
          ],
          sources: ["IMPORT", "ONE_CLICK", "PREFERENCE_CENTER"],
          totals: { optIns: 4, optOuts: 3 },
        }}
      />,
    );
    expectAccessibleChart(html, "ledger-chart");
    expect(text(html)).toContain("People per day");
  });
});

describe("the unit's feedback chart", () => {
  it("stacks each kind per day on one scale, with axes and the kinds' legend", async () => {
    const { FeedbackChartFigure } = await import("../mail-feedback.tsx");
    const html = renderToString(
      <FeedbackChartFigure
        unitName="Northwind"
        chart={{
          from: "2026-03-01",
          to: "2026-03-02",
          kinds: ["HARD_BOUNCE", "COMPLAINT"],
          totals: { HARD_BOUNCE: 3, COMPLAINT: 1 },
          days: [
            { day: "2026-03-01", counts: { HARD_BOUNCE: 3 } },
            { day: "2026-03-02", counts: { COMPLAINT: 1 } },
          ],
        }}
      />,
    );
    expectAccessibleChart(html, "feedback-chart");
    expect(html).toContain('aria-label="Kinds"');
    expect(text(html)).toContain("Messages per day");
  });
});

describe("the results dashboard's charts", () => {
  it("puts the three rates on one percent scale and the audience on its own scale of people", async () => {
    const { UnitResultsCharts } = await import("../unit-results.tsx");
    const campaign = (id: number, sentOn: string, audience: number | null) => ({
      id,
      name: `C${id}`,
      subject: "s",
      sentOn,
      startedAt: `${sentOn}T10:00:00.000Z`,
      audience,
      sent: 200,
      unsubscribes: 3,
      bounces: 2,
      complaints: 1,
      unsubscribeRate: 0.015,
      bounceRate: 0.01,
      complaintRate: 0.005,
    });
    const html = renderToString(
      <UnitResultsCharts
        results={{
          unit: { id: 1, slug: "n", displayName: "Northwind" },
          period: { from: "2026-03-01", to: "2026-03-31" },
          truncated: false,
          campaigns: [campaign(1, "2026-03-02", 210), campaign(2, "2026-03-20", null)],
        }}
      />,
    );
    // The page's one table of every number follows the charts (ResultsTable), so neither repeats it.
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="results-rates-title results-rates-desc"/);
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="results-audience-title results-audience-desc"/);
    expect(html).toContain("visx-axis-bottom");
    expect(html).toContain('class="chart-legend"');
    const words = text(html);
    expect(words).toContain("Share of messages sent");
    expect(words).toContain("C1 (2026-03-02): Unsubscribe rate 1.5 %");
    expect(words).toMatch(/Unsubscribe rate\s+Bounce rate\s+Complaint rate/);
    expect(words).toContain("People");
    expect((html.match(/visx-axis-left/g) ?? []).length).toBe(2);
  });
});
