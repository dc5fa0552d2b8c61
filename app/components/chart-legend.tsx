// The legend under a server-rendered chart: a colour swatch and a name per series, or a line
// saying there was nothing to draw.

export function ChartLegend({ label, items, empty }: { label: string; items: { key: string; colour: string; name: string }[]; empty: string }) {
  if (items.length === 0) return <p className="hint">{empty}</p>;
  return (
    <ul className="chart-legend" aria-label={label}>
      {items.map((item) => (
        <li key={item.key}>
          <span className="swatch" style={{ background: item.colour }} aria-hidden="true" />
          {item.name}
        </li>
      ))}
    </ul>
  );
}
