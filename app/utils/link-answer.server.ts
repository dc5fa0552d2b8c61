import { data } from "@remix-run/node";
import type { UnusableLink } from "~/domain/accounts/one-time-links.server.ts";

/** Links that were once good answer 410 Gone; links that never were answer 400. */
export function linkProblemStatus(reason: UnusableLink): 400 | 410 {
  return reason === "unknown" ? 400 : 410;
}

/** The answer of an account link page whose link cannot be used: 400 or 410, never cached. */
export function linkProblemAnswer<Fields extends object>(reason: UnusableLink, fields: Fields) {
  return data({ problem: reason, ...fields }, { status: linkProblemStatus(reason), headers: { "Cache-Control": "no-store" } });
}

type LinkCheck<Link> = Link | { ok: false; reason: UnusableLink };

/**
 * The loader of a page opened from a one-time link: checks the link in the URL (using nothing
 * up, as mail scanners open links too) and gives the page its facts, or the answer that the link
 * no longer works with the same facts empty.
 */
export async function loadLinkPage<Link extends { ok: true }, Facts extends object>(
  token: string | undefined,
  check: (token: string) => Promise<LinkCheck<Link>>,
  facts: (link: Link) => Facts,
  blank: { [Key in keyof Facts]: null },
) {
  const link = await check(token ?? "");
  if (!link.ok) return linkProblemAnswer(link.reason, blank);
  return data({ problem: null, ...facts(link as Link) }, { headers: { "Cache-Control": "no-store" } });
}
