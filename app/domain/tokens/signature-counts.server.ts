// How many link tokens each key signed per UTC day (shown on /admin/keys). A campaign signs a
// token per message, so signatures are counted in memory and added to SigningKeyUse in
// batches: every FLUSH_EVERY_MS while there is something to write, and whenever a caller
// awaits flushSignatureCounts() (the CLI before it exits, the keys page before it reads).
// The database client is imported when first needed: importing link-tokens (benchmarks, tests
// that sign with keys of their own) must not open the app's database.

const database = async () => (await import("~/utils/db.server.ts")).db;

export const FLUSH_EVERY_MS = 5_000;

type CounterState = {
  /** Unwritten counts by "keyId|YYYY-MM-DD". */
  pending: Map<string, number>;
  timer: ReturnType<typeof setTimeout> | null;
  /** Flushes run one after another, so two never write the same counts. */
  lastFlush: Promise<void>;
};
// On globalThis: the web process loads this module twice (the Remix build, and the campaign
// sender beside it); one shared tally means one flush on shutdown writes everything.
const shared = globalThis as unknown as { __signatureCounts?: CounterState };
const state: CounterState = (shared.__signatureCounts ??= { pending: new Map(), timer: null, lastFlush: Promise.resolve() });
const pending = state.pending;

/** YYYY-MM-DD of a moment, in UTC. */
export function utcDay(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

function scheduleFlush(): void {
  if (state.timer) return;
  state.timer = setTimeout(() => {
    state.timer = null;
    flushSignatureCounts().catch((error) => console.error(`Signature counts not written yet (kept for the next try): ${(error as Error).message}`));
  }, FLUSH_EVERY_MS);
  // A pending count never keeps a process (the CLI, a test) alive.
  state.timer.unref();
}

/** Counts one signature by a key (by its row id). Costs a map update; nothing is written now. */
export function countSignature(keyId: number, now = new Date()): void {
  const key = `${keyId}|${utcDay(now)}`;
  pending.set(key, (pending.get(key) ?? 0) + 1);
  scheduleFlush();
}

/** Signatures counted in this process and not written yet (for tests and the keys page). */
export function unwrittenSignatureCount(): number {
  let total = 0;
  for (const n of pending.values()) total += n;
  return total;
}

/** Adds every count made so far to SigningKeyUse. If the write fails the counts are kept for the next try. */
export function flushSignatureCounts(): Promise<void> {
  const run = state.lastFlush.then(writePending);
  state.lastFlush = run.catch(() => undefined);
  return run;
}

async function writePending(): Promise<void> {
  if (state.timer) {
    clearTimeout(state.timer);
    state.timer = null;
  }
  if (pending.size === 0) return;
  const batch = [...pending].map(([key, count]) => {
    const [keyId, day] = key.split("|");
    return { keyId: Number(keyId), day, count };
  });
  pending.clear();
  try {
    const db = await database();
    const known = new Set(
      (await db.signingKey.findMany({ where: { id: { in: [...new Set(batch.map((b) => b.keyId))] } }, select: { id: true } })).map((k) => k.id),
    );
    await db.$transaction(
      batch
        .filter((b) => known.has(b.keyId))
        .map(({ keyId, day, count }) =>
          db.signingKeyUse.upsert({
            where: { keyId_day: { keyId, day } },
            create: { keyId, day, count },
            update: { count: { increment: count } },
          }),
        ),
    );
  } catch (error) {
    for (const { keyId, day, count } of batch) {
      const key = `${keyId}|${day}`;
      pending.set(key, (pending.get(key) ?? 0) + count);
    }
    scheduleFlush();
    throw error;
  }
}

/** Tokens signed per key since a UTC day (inclusive), by key id. */
export async function signaturesSince(day: string): Promise<Map<number, number>> {
  const db = await database();
  const rows = await db.signingKeyUse.groupBy({ by: ["keyId"], where: { day: { gte: day } }, _sum: { count: true } });
  return new Map(rows.map((r) => [r.keyId, r._sum.count ?? 0]));
}
