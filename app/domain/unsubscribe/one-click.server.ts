// RFC 8058 one-click at the pace mailbox providers send it: after a campaign, thousands of
// POSTs a minute. The server answers these before Remix renders anything (scripts/start.ts),
// and the opt-outs that arrive together are written together: one transaction, a fixed number
// of queries per batch (docs/decisions/008-one-click-fast-path.md). The web server hands those
// writes to a thread of their own, so a second core writes while this one answers HTTP
// (ADR 014). The page route writes its one-clicks through the same function. Anything unusual
// — a bad token, an erased contact — returns null and the page route answers.

import { getKeyring } from "~/domain/tokens/keyring.server.ts";
import { checkLink, type LinkClaims } from "~/domain/tokens/link-tokens.server.ts";
import type { Requester } from "~/utils/request.server.ts";
import { writeOneClick, type OneClickAnswer, type OneClickWrite } from "./one-click-batch.server.ts";

/** Whether a POST body is exactly RFC 8058's `List-Unsubscribe=One-Click`, in either encoding it allows. */
export async function isOneClickBody(contentType: string | undefined, body: Uint8Array): Promise<boolean> {
  const type = contentType?.split(";")[0].trim().toLowerCase();
  let form: URLSearchParams | FormData | null = null;
  if (type === "application/x-www-form-urlencoded") form = new URLSearchParams(Buffer.from(body).toString("utf8"));
  if (type === "multipart/form-data") {
    form = await new Response(new Uint8Array(body), { headers: { "content-type": contentType! } }).formData().catch(() => null);
  }
  return form !== null && isOneClickForm(form);
}

/** RFC 8058's body rule, for a form already read. */
export function isOneClickForm(form: URLSearchParams | FormData): boolean {
  // The page's own form also posts to /u/<token>; it always names an intent.
  return form.get("List-Unsubscribe") === "One-Click" && !form.has("intent");
}

/** The fast path: verifies the link and applies its one-click, or returns null when the unsubscribe page route must answer instead. */
export async function answerOneClick(token: string, requester: Requester): Promise<OneClickAnswer | null> {
  // Invariant 6: the token is verified before anything is looked up.
  const link = checkLink(await getKeyring(), token, "unsubscribe");
  if (!link.ok) return null;
  return optOutByOneClick(link.claims, requester);
}

/**
 * The one-click opt-out of a verified link, for the fast path and the page alike: written (in a
 * batch) before it answers with the unit's name, or null when the link is gone.
 */
export function optOutByOneClick(claims: LinkClaims, requester: Requester): Promise<OneClickAnswer | null> {
  return writer({ claims, requester });
}

/** Where opt-outs are written: in this thread unless the server gave a thread of their own (null: this one). */
export type OneClickWriter = (write: OneClickWrite) => Promise<OneClickAnswer | null>;
let writer: OneClickWriter = writeOneClick;

export function writeOneClicksWith(other: OneClickWriter | null): void {
  writer = other ?? writeOneClick;
}
