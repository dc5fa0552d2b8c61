import { plainTextAnswer } from "./resource-route.server.ts";

const UNREADABLE = "This request did not carry a form we can read. Go back to the page, reload it and send the form again.";

/**
 * The form an action was sent. A body that is not a form (JSON, broken multipart, none at all)
 * is the client's mistake: a 400 in plain words, thrown as a Response so document and resource
 * routes answer it alike.
 */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw plainTextAnswer(400, UNREADABLE);
  }
}
