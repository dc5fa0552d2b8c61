import { z } from "zod";

// Schema pieces for parseForm (ADR 024). Not a .server module: routes build their schemas at
// module level, which the browser bundle evaluates too.

/**
 * A field a form may send any number of times (checkboxes of one name, hidden markers): Conform
 * reads one value as a string, several as a list and none as no field at all; this makes each a
 * list, checked by `list` (so `.min` and `.max` still apply).
 */
export function repeated<List extends z.ZodType>(list: List) {
  return z.preprocess((values) => (values === undefined ? [] : [values].flat()), list);
}
