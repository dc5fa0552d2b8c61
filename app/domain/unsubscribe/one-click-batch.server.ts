// The one-click batch writer (ADR 008): verified links become opt-outs and their ledger events,
// through the consent core, many to a transaction. The web server runs it in a thread of its
// own (scripts/one-click-writer-thread.ts, ADR 014); elsewhere it runs in the calling thread.

import { db, type Tx } from "~/utils/db.server.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import type { OneClickScope } from "~/generated/prisma/enums.ts";
import { applyConsentChange, applyUnitOptOuts, ConsentError, type UnitOptOutRequest } from "~/domain/consent/changes.server.ts";
import type { LinkClaims } from "~/domain/tokens/link-tokens.server.ts";
import type { Requester } from "~/utils/request.server.ts";
import { linkConsentContext } from "./unsubscribe.server.ts";

/** A one-click whose link was verified: everything needed to write it, and nothing to look up first. */
export type OneClickWrite = { claims: LinkClaims; requester: Requester };

export type OneClickAnswer = { unitName: string };

/**
 * Writes one verified one-click — the unit's promotional mail on the link's channel, or only the
 * link's topic when the unit chose topic scope — and answers with the unit's name, or null when
 * the link is gone (erased contact, removed unit or topic) and nothing was written. Everything that arrives while a transaction is open goes into the next one, so under
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
    // The policy's promise is the unit's mail on the link's channel; a unit may narrow it to the link's topic.
    const scopeOf = ({ claims }: OneClickWrite) => {
      const unit = unitById.get(claims.unitId);
      if (!unit) return null;
      return unit.oneClickScope === "TOPIC" && claims.topicId ? "TOPIC" : "UNIT";
    };
    const unitWide = batch.filter((item) => scopeOf(item) === "UNIT");
    const requests: UnitOptOutRequest[] = unitWide.map(({ claims, requester }) => ({
      ...claims,
      context: linkConsentContext(claims, "ONE_CLICK", requester),
    }));
    const results = requests.length > 0 ? await applyUnitOptOuts(tx, requests) : [];
    const written = new Map(unitWide.map((item, i) => [item, results[i] !== null]));
    const topicOnly = batch.filter((item) => scopeOf(item) === "TOPIC");
    if (topicOnly.length > 0) {
      const contacts = await tx.$queryRaw<{ id: number | bigint }[]>`
        SELECT "id" FROM "Contact" WHERE "id" IN (${Prisma.join([...new Set(topicOnly.map((item) => item.claims.contactId))])})`;
      const present = new Set(contacts.map((contact) => Number(contact.id)));
      for (const item of topicOnly) written.set(item, present.has(item.claims.contactId) && (await unsubscribeFromTopic(tx, item)));
    }
    return batch.map((item) => (written.get(item) ? { unitName: unitById.get(item.claims.unitId)!.displayName } : null));
  });
}

/** A topic-scope one-click: the link's topic only, or false when that topic is gone. */
async function unsubscribeFromTopic(tx: Tx, { claims, requester }: OneClickWrite): Promise<boolean> {
  const change = { kind: "unsubscribe", contactId: claims.contactId, topicId: claims.topicId!, channel: claims.channel } as const;
  try {
    await applyConsentChange(change, linkConsentContext(claims, "ONE_CLICK", requester), tx);
    return true;
  } catch (error) {
    if (error instanceof ConsentError) return false;
    throw error;
  }
}
