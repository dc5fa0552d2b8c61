// The write half of one-click (ADR 008): verified links become unit opt-outs and their ledger
// events, through the consent core, many to a transaction. The web server runs this in a thread
// of its own (scripts/one-click-writer.ts, ADR 014); elsewhere it runs in the calling thread.

import { db } from "~/utils/db.server.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import type { OneClickScope } from "~/generated/prisma/enums.ts";
import { applyUnitOptOuts, type UnitOptOutRequest } from "~/domain/consent/changes.server.ts";
import type { LinkClaims } from "~/domain/tokens/link-tokens.server.ts";
import type { Requester } from "~/utils/request.server.ts";
import { linkConsentContext } from "./unsubscribe.server.ts";

/** A one-click whose link was verified: everything needed to write it, and nothing to look up first. */
export type OneClickWrite = { claims: LinkClaims; requester: Requester };

export type OneClickAnswer = { unitName: string };

/**
 * Writes one verified one-click and answers with the unit's name, or null when the page route
 * must answer it (erased contact, removed unit, a unit whose one-click covers only the link's
 * topic). Everything that arrives while a transaction is open goes into the next one, so under
 * load each transaction carries as many opt-outs as there are requests waiting.
 */
export function writeOneClick(write: OneClickWrite): Promise<OneClickAnswer | null> {
  return new Promise((resolve, reject) => {
    waiting.push({ write, resolve, reject });
    if (!writing) void writeWaiting();
  });
}

type Waiting = { write: OneClickWrite; resolve: (answer: OneClickAnswer | null) => void; reject: (error: unknown) => void };

// Bounds one transaction (and SQLite's bound-parameter count) under a burst.
const MAX_BATCH = 256;
let waiting: Waiting[] = [];
let writing = false;

async function writeWaiting(): Promise<void> {
  writing = true;
  // Whatever else arrives in this event-loop turn joins the first batch.
  await new Promise((resolve) => setImmediate(resolve));
  while (waiting.length > 0) {
    const batch = waiting.slice(0, MAX_BATCH);
    waiting = waiting.slice(MAX_BATCH);
    try {
      const answers = await writeBatch(batch.map((item) => item.write));
      batch.forEach((item, i) => item.resolve(answers[i]));
    } catch (error) {
      // One request that cannot be written must not fail the others: each goes on its own.
      console.error(`One-click batch of ${batch.length} not written, retrying one by one: ${(error as Error).message}`);
      for (const item of batch) await writeBatch([item.write]).then(([answer]) => item.resolve(answer), item.reject);
    }
  }
  writing = false;
}

async function writeBatch(batch: OneClickWrite[]): Promise<(OneClickAnswer | null)[]> {
  return db.$transaction(async (tx) => {
    // Plain SQL: half the client-side cost of findMany, paid on every batch (bench:one-click).
    const units = await tx.$queryRaw<{ id: number | bigint; displayName: string; oneClickScope: OneClickScope }[]>`
      SELECT "id", "displayName", "oneClickScope" FROM "BusinessUnit" WHERE "id" IN (${Prisma.join([...new Set(batch.map((item) => item.claims.unitId))])})`;
    const unitById = new Map(units.map((unit) => [Number(unit.id), unit]));
    const answerable = batch.filter(({ claims }) => {
      const unit = unitById.get(claims.unitId);
      return unit && !(unit.oneClickScope === "TOPIC" && claims.topicId);
    });
    const requests: UnitOptOutRequest[] = answerable.map(({ claims, requester }) => ({
      ...claims,
      context: linkConsentContext(claims, "ONE_CLICK", requester),
    }));
    const results = requests.length > 0 ? await applyUnitOptOuts(tx, requests) : [];
    const resultOf = new Map(answerable.map((item, i) => [item, results[i]]));
    return batch.map((item) => (resultOf.get(item) ? { unitName: unitById.get(item.claims.unitId)!.displayName } : null));
  });
}
