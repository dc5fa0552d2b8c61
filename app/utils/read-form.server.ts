import { plainTextAnswer } from "./permissions.server.ts";

const UNREADABLE = "This request did not carry a form we can read. Go back to the page, reload it and send the form again.";

/**
 * The form an action was sent. A body that is not a form (JSON, broken multipart, text) is the
 * client's mistake: a 400 in plain words, thrown as a Response so document and resource
 * routes answer it alike.
 */
export async function readForm(request: Request): Promise<FormData> {
  // No body at all is an empty form: a POST whose fields travel in the query (the ledger's CSV).
  if (request.body === null) return new FormData();
  try {
    return await request.formData();
  } catch {
    throw plainTextAnswer(400, UNREADABLE);
  }
}
