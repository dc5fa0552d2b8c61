import { useEffect, useState } from "react";

/**
 * True once the page's JavaScript runs. The server and the first browser render say false, so a
 * page drawn for JavaScript (controls that save themselves) and one for plain forms (Save buttons)
 * start out the same and hydrate without a mismatch.
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
