import { MaxPartSizeExceededError, unstable_createMemoryUploadHandler, unstable_parseMultipartFormData } from "@remix-run/node";
import { parseWithZod } from "@conform-to/zod/v4";
import type { z } from "zod";
import { readForm } from "./read-form.server.ts";
import { fileTooLarge, type UploadLimit } from "./upload-limits.ts";

// The one way an action reads its form (ADR 024): readForm's 400 for a body that is not a form,
// then Conform's parse (repeated names become arrays, `a.b` and `a[0]` nest, files stay files)
// checked by a Zod schema. Auto-coercion is off: each schema says how a string becomes a number
// or a checkbox (z.coerce, "on"), so a field reads the same in a test, a form and the JSON API.

/** A form that passed its schema, or the first message for each field that did not. */
export type ParsedForm<T> =
  | { ok: true; value: T; form: FormData }
  | {
      ok: false;
      /** 400, or 413 for a file over the page's upload limit. */
      status: 400 | 413;
      /** The first message per field name, shown beside that field; "form" is about the whole form. */
      errors: Record<string, string>;
      /** What was typed, as strings, to draw the form again. */
      values: Record<string, string>;
      form: FormData;
    };

type Options = {
  /** A multipart form with a file: the page's limit and the field that carries the file. */
  upload?: UploadLimit & { field: string };
};

export async function parseForm<Schema extends z.ZodType>(request: Request, schema: Schema, options: Options = {}): Promise<ParsedForm<z.output<Schema>>> {
  const { upload } = options;
  let form: FormData;
  if (upload) {
    try {
      form = await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize: upload.maxBytes }));
    } catch (error) {
      if (error instanceof MaxPartSizeExceededError) {
        return { ok: false, status: 413, errors: { [upload.field]: fileTooLarge(upload) }, values: {}, form: new FormData() };
      }
      return { ok: false, status: 400, errors: { form: "The form could not be read. Please fill it in and send it again." }, values: {}, form: new FormData() };
    }
  } else {
    form = await readForm(request);
  }
  return parseFormData(form, schema);
}

/** parseForm for a form the action has already read, for a check that must come before any schema (RFC 8058's one-click). */
export function parseFormData<Schema extends z.ZodType>(form: FormData, schema: Schema): ParsedForm<z.output<Schema>> {
  const unstorable = fieldsWithNul(form);
  if (unstorable.length) {
    return { ok: false, status: 400, errors: Object.fromEntries(unstorable.map((name) => [name, NUL_MESSAGE])), values: formFields(form), form };
  }
  const submission = parseWithZod(form, { schema, disableAutoCoercion: true });
  if (submission.status === "success") return { ok: true, value: submission.value as z.output<Schema>, form };
  return { ok: false, status: 400, errors: firstMessages(submission.error), values: formFields(form), form };
}

// Nobody types a NUL; only broken or hostile clients send one, and PostgreSQL's text cannot hold
// it (the statement fails, a 500). Refused here, once, for every form on both databases.
const NUL_MESSAGE = "This field holds an invisible NUL character, which cannot be stored: type it again.";

function fieldsWithNul(form: FormData): string[] {
  const names = new Set<string>();
  form.forEach((value, key) => {
    if (typeof value === "string" && value.includes("\u0000")) names.add(key);
  });
  return [...names];
}

/** Form fields as plain strings (files and repeats ignored), to draw a form again as it was sent. */
function formFields(form: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  form.forEach((value, key) => {
    if (typeof value === "string" && !(key in fields)) fields[key] = value;
  });
  return fields;
}

function firstMessages(error: Record<string, string[] | null> | null | undefined): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [name, messages] of Object.entries(error ?? {})) {
    if (messages?.[0]) errors[name === "" ? "form" : name] = messages[0];
  }
  return errors;
}
