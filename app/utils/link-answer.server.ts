import { data } from "@remix-run/node";
import { linkProblemStatus, type LinkProblem } from "~/components/account-ui.tsx";

/** The answer of an account link page whose link cannot be used: 400 or 410, never cached. */
export function linkProblemAnswer<Fields extends object>(reason: LinkProblem, fields: Fields) {
  return data({ problem: reason, ...fields }, { status: linkProblemStatus(reason), headers: { "Cache-Control": "no-store" } });
}
