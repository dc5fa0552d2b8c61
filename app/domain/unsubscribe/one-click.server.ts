// RFC 8058 one-click at the pace mailbox providers send it: after a campaign, thousands of
// POSTs a minute. The server answers these before Remix renders anything (scripts/start.ts),
// and the opt-outs that arrive together are written together: one transaction, a fixed number
// of queries per batch (docs/decisions/008-one-click-fast-path.md). Anything unusual — a bad
// token, an erased contact, a unit with topic scope — returns null and the page route answers.

import { db } from "~/utils/db.server.ts";
import { applyUnitOptOuts, type UnitOptOutRequest } from "~/domain/consent/changes.server.ts";
import { getKeyring } from "~/domain/tokens/keyring.server.ts";
import { checkLink, type LinkClaims } from "~/domain/tokens/link-tokens.server.ts";
import type { Requester } from "~/utils/request.server.ts";
import { linkConsentContext } from "./unsubscribe.server.ts";

/** Whether a POST body is exactly RFC 8058's `List-Unsubscribe=One-Click`, in either encoding it allows. */
export async function isOneClickBody(contentType: string | undefined, body: Uint8Array): Promise<boolean> {
  const type = contentType?.split(";")[0].trim().toLowerCase();
  let form: URLSearchParams | FormData | null = null;
  if (type === "application/x-www-form-urlencoded") form = new URLSearchParams(Buffer.from(body).toString("utf8"));
  if (type === "multipart/form-data") {
    form = await new Response(new Uint8Array(body), { headers: { "content-type": contentType! } }).formData().catch(() => null);
  }
  // The page's own form also posts to /u/<token>; it always names an intent.
  return form !== null && form.get("List-Unsubscribe") === "One-Click" && !form.has("intent");
}

export type OneClickAnswer = { unitName: string };

/** Applies a one-click opt-out, or returns null when the unsubscribe page route must answer instead. */
export async function answerOneClick(token: string, requester: Requester): Promise<OneClickAnswer | null> {
  // Invariant 6: the token is verified before anything is looked up.
  const link = checkLink(await getKeyring(), token, "unsubscribe");
  if (!link.ok) return null;
  return new Promise((resolve, reject) => {
    waiting.push({ claims: link.claims, requester, resolve, reject });
    if (!scheduled) {
      scheduled = true;
      setImmediate(writeWaiting);
    }
  });
}

type Waiting = {
  claims: LinkClaims;
  requester: Requester;
  resolve: (answer: OneClickAnswer | null) => void;
  reject: (error: unknown) => void;
};

// Bounds one transaction (and SQLite's bound-parameter count) under a burst.
const MAX_BATCH = 256;
let waiting: Waiting[] = [];
let scheduled = false;

/** Writes everything that arrived since the last write, batch after batch, until nothing waits. */
async function writeWaiting(): Promise<void> {
  while (waiting.length > 0) {
    const batch = waiting.slice(0, MAX_BATCH);
    waiting = waiting.slice(MAX_BATCH);
    try {
      const answers = await writeBatch(batch);
      batch.forEach((item, i) => item.resolve(answers[i]));
    } catch {
      // One request that cannot be written must not fail the others: each goes on its own.
      for (const item of batch) await writeBatch([item]).then(([answer]) => item.resolve(answer), item.reject);
    }
  }
  scheduled = false;
}

async function writeBatch(batch: Waiting[]): Promise<(OneClickAnswer | null)[]> {
  return db.$transaction(async (tx) => {
    const [units, contacts] = await Promise.all([
      tx.businessUnit.findMany({
        where: { id: { in: [...new Set(batch.map((item) => item.claims.unitId))] } },
        select: { id: true, displayName: true, oneClickScope: true },
      }),
      tx.contact.findMany({ where: { id: { in: [...new Set(batch.map((item) => item.claims.contactId))] } }, select: { id: true } }),
    ]);
    const unitById = new Map(units.map((unit) => [unit.id, unit]));
    const known = new Set(contacts.map((contact) => contact.id));
    const requests: UnitOptOutRequest[] = [];
    const answers = batch.map(({ claims, requester }) => {
      const unit = unitById.get(claims.unitId);
      // Erased contact, removed unit, or a unit whose one-click covers only the link's topic.
      if (!unit || !known.has(claims.contactId) || (unit.oneClickScope === "TOPIC" && claims.topicId)) return null;
      requests.push({ ...claims, context: linkConsentContext(claims, "ONE_CLICK", requester) });
      return { unitName: unit.displayName };
    });
    if (requests.length > 0) await applyUnitOptOuts(tx, requests);
    return answers;
  });
}
