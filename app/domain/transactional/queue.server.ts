import { db } from "~/utils/db.server.ts";
import { deliverTransactional } from "./deliver.server.ts";

/**
 * Sends every queued service message that is due: retries after temporary failures, and
 * messages whose first immediate attempt never finished (a crash, a lease that ran out).
 */
export async function processTransactionalQueue(now = new Date(), batchSize = 50): Promise<number> {
  const due = await db.transactionalMessage.findMany({
    where: { status: "QUEUED", OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
    orderBy: { id: "asc" },
    take: batchSize,
    select: { id: true },
  });
  let sent = 0;
  for (const { id } of due) {
    if (await deliverTransactional(id, now).catch(() => false)) sent++;
  }
  return sent;
}

/** Polls the queue in the background; returns a function that stops it. */
export function startTransactionalQueue(intervalMs = 2_000): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await processTransactionalQueue();
    } catch (error) {
      console.error(`Transactional queue: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
