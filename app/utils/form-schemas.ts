import { z } from "zod";

// Schema pieces for parseForm (ADR 024). Not a .server module: routes build their schemas at
// module level, which the browser bundle evaluates too.

/**
 * Checkboxes of one name: Conform reads one ticked box as a string and none as no field at all,
 * so this makes both a list (empty when nothing is ticked).
 */
export function checkedList<Item extends z.ZodType>(item: Item) {
  return z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(item));
}
