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
