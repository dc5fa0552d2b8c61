import type { ZodError } from "zod";

/** The JSON error every /api answer uses: which input was wrong, and what to do about it. */
export function apiError(status: number, field: string, message: string, headers?: HeadersInit): Response {
  return Response.json({ error: { field, message } }, { status, headers });
}

/** The first Zod issue as an API error naming its field path (e.g. "data.renewalDate"). */
export function apiValidationError(error: ZodError, prefix: string[] = []): Response {
  const issue = error.issues[0];
  const field = [...prefix, ...issue.path.map(String)].join(".") || "body";
  return apiError(422, field, `${field}: ${issue.message}`);
}

/** Reads a JSON body; null when the body is not JSON (the caller answers 400). */
export async function readJson(request: Request): Promise<unknown | null> {
  if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) return null;
  try {
    return await request.json();
  } catch {
    return null;
  }
}

/**
 * A 422 for the first string in a JSON body (a value, or a key: then its object) that holds
 * U+0000, or null when none does. PostgreSQL's text and jsonb cannot store it, so it is refused on
 * both databases before anything is written, as forms refuse it (parse-form.server.ts).
 */
export function nulCharacterError(body: unknown): Response | null {
  const field = pathWithNul(body, []);
  if (field === null) return null;
  const name = field || "body";
  return apiError(422, name, `${name}: holds a NUL character (\\u0000), which cannot be stored. Remove it and send the request again.`);
}

function pathWithNul(value: unknown, path: string[]): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path.join(".") : null;
  if (value === null || typeof value !== "object") return null;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes("\u0000")) return path.join(".");
    const found = pathWithNul(item, [...path, key]);
    if (found !== null) return found;
  }
  return null;
}
