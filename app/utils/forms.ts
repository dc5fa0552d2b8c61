import { z, type ZodError } from "zod";

/** The first message for each field of a failed parse, for errors shown beside their field. */
export function fieldErrors(error: ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message;
  }
  return errors;
}

/** Form fields as plain strings (files and repeats ignored), ready for a Zod schema. */
export function formFields(form: FormData | null): Record<string, string> {
  const fields: Record<string, string> = {};
  form?.forEach((value, key) => {
    if (typeof value === "string" && !(key in fields)) fields[key] = value;
  });
  return fields;
}

/**
 * A field a form may post any number of times, always as a list: parseForm (Conform, no coercion)
 * reads one value as a string and several as a list. Not in a .server module: route schemas are
 * built when the page's module loads, in the browser too.
 */
export function repeated<List extends z.ZodType>(list: List) {
  return z.preprocess((values) => (values === undefined ? [] : [values].flat()), list);
}

/** "in 3 minutes", for a Retry-After wait. */
export function inMinutes(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
}
