import { redirect } from "@remix-run/node";
import { db } from "~/utils/db.server.ts";
import { readSession } from "~/domain/accounts/sessions.server.ts";

export type PreferencesViewer = {
  contactId: number;
  sessionId: string;
  /** "link": opened from an emailed link, no password, short-lived. "account": signed in. */
  via: "link" | "account";
  userId: number | null;
  /** Who the ledger names for changes made here, and the link's token id when opened from one. */
  ledger: { actor: string; tokenId: string | null };
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
  if (session.contactId) {
    // Whoever holds a link acts through it (it may have been forwarded): the ledger names the link, not the contact.
    const ledger = { actor: `link:${session.linkTokenId ?? "unrecorded"}`, tokenId: session.linkTokenId };
    return { contactId: session.contactId, sessionId: session.id, via: "link", userId: null, ledger };
  }
  const user = session.userId
    ? await db.user.findUnique({ where: { id: session.userId }, select: { contactId: true } })
    : null;
  // Staff accounts have no preferences of their own.
  if (!user?.contactId) throw redirect("/account");
  return { contactId: user.contactId, sessionId: session.id, via: "account", userId: session.userId, ledger: { actor: `user:${session.userId}`, tokenId: null } };
}
