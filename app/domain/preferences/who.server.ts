import { redirect } from "@remix-run/node";
import { db } from "~/utils/db.server.ts";
import { readSession } from "~/domain/accounts/sessions.server.ts";

export type PreferencesViewer = {
  contactId: number;
  sessionId: string;
  /** "link": opened from an emailed link, no password, short-lived. "account": signed in. */
  via: "link" | "account";
  userId: number | null;
};

/**
 * The one contact whose preferences this request may see and change, from the session alone:
 * no contact id ever travels in a URL or a form.
 */
export async function requirePreferencesViewer(request: Request): Promise<PreferencesViewer> {
  const session = await readSession(request);
  if (!session) {
    const url = new URL(request.url);
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  }
  if (session.contactId) return { contactId: session.contactId, sessionId: session.id, via: "link", userId: null };
  const user = session.userId
    ? await db.user.findUnique({ where: { id: session.userId }, select: { contactId: true } })
    : null;
  // Staff accounts have no preferences of their own.
  if (!user?.contactId) throw redirect("/account");
  return { contactId: user.contactId, sessionId: session.id, via: "account", userId: session.userId };
}
