import type { ZodError } from "zod";

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

/** "in 3 minutes", for a Retry-After wait. */
export function inMinutes(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
}
