// A small bar chart of messages sent and unsubscribes over the campaign's life. Plain SVG with
// a table fallback, so screen readers and people without JavaScript get the same numbers.

import type { TimelinePoint } from "~/domain/campaigns/campaigns.server.ts";

export function CampaignTimeline({ points }: { points: TimelinePoint[] }) {
  if (points.length === 0) return null;
  const maxSent = Math.max(1, ...points.map((p) => p.sent));
  const maxUnsubscribes = Math.max(1, ...points.map((p) => p.unsubscribes));
  const width = 640;
  const height = 140;
  // At least a dozen slots: a send that took a minute or two is a narrow bar or two, not a block.
  const slot = width / Math.max(points.length, 12);
  const time = (iso: string) => new Date(iso).toISOString().slice(11, 16);
  return (
    <figure className="campaign-timeline">
      <figcaption>Sent (bars) and unsubscribes (dots) over time, UTC</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label="Messages sent and unsubscribes over time">
        {points.map((p, i) => {
          const barHeight = (p.sent / maxSent) * height;
          return (
            <g key={p.at}>
              <rect x={i * slot + 2} y={height - barHeight} width={Math.max(1, slot - 4)} height={barHeight} fill="var(--accent)" opacity={0.75} />
              {p.unsubscribes > 0 ? <circle cx={i * slot + slot / 2} cy={height - (p.unsubscribes / maxUnsubscribes) * (height - 8) - 4} r={4} fill="#a61b1b" /> : null}
            </g>
          );
        })}
        <text x={0} y={height + 16} fontSize={11} fill="currentColor">
          {time(points[0].at)}
        </text>
        {points.length > 1 ? (
          <text x={points.length * slot} y={height + 16} fontSize={11} fill="currentColor" textAnchor="end">
            {time(points[points.length - 1].at)}
          </text>
        ) : null}
      </svg>
      <details>
        <summary>The numbers</summary>
        <table className="staff-table">
          <thead>
            <tr>
              <th scope="col">From (UTC)</th>
              <th scope="col" className="number">
                Sent
              </th>
              <th scope="col" className="number">
                Unsubscribes
              </th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.at}>
                <td>{new Date(p.at).toISOString().replace("T", " ").slice(0, 16)}</td>
                <td className="number">{p.sent}</td>
                <td className="number">{p.unsubscribes}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
