import { useEffect, useState } from "react";

// The zone a scheduled time is read in. The page arrives with UTC (or the zone already chosen);
// the browser then picks its own zone, so "09:00" means 09:00 on the marketer's clock. Without
// JavaScript UTC stays chosen, as the select shows, and any other zone can be picked by hand.

export function TimeZoneSelect({ zones, chosen, describedBy }: { zones: string[]; chosen: string | null; describedBy?: string }) {
  const [zone, setZone] = useState(chosen ?? "UTC");
  const [options, setOptions] = useState(zones);
  useEffect(() => {
    if (chosen) return;
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!browserZone) return;
    setOptions((list) => (list.includes(browserZone) ? list : [browserZone, ...list]));
    setZone(browserZone);
  }, [chosen]);
  return (
    <select id="timeZone" name="timeZone" value={zone} onChange={(event) => setZone(event.target.value)} aria-describedby={describedBy}>
      {options.map((name) => (
        <option key={name} value={name}>
          {name.replace(/_/g, " ")}
        </option>
      ))}
    </select>
  );
}
