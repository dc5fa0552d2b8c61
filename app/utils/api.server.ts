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
