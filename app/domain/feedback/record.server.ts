// The feedback core: every signal that comes back from mail (a bounce, a complaint, a mailto
// unsubscribe, a provider's event) is stored once as an InboundMessage and changes state only
// through the consent core, in the same transaction, naming the delivery it came from. One
// signal is a batch of one (record-batch.server.ts), so both ways give the same outcome.

import { db, type Db, type Tx } from "~/utils/db.server.ts";
import { Prisma } from "~/generated/prisma/client.ts";
import type { FeedbackSignal } from "./signals.ts";
import { recordFeedbackBatch, type RecordedFeedback } from "./record-batch.server.ts";

export { RAW_LIMIT, recordFeedbackBatch, type RecordedFeedback } from "./record-batch.server.ts";

/** Stores the signal and applies its effect. A provider event seen before (same via and externalId) is not applied again. */
export async function recordFeedback(signal: FeedbackSignal, client: Db | Tx = db): Promise<RecordedFeedback> {
  try {
    const [recorded] = await recordFeedbackBatch([signal], client);
    return recorded;
  } catch (error) {
    // Two deliveries of the same provider event at once: the second finds the first's row.
    if (signal.externalId && error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const seen = await client.inboundMessage.findUniqueOrThrow({ where: { via_externalId: { via: signal.via, externalId: signal.externalId } }, select: { id: true, effect: true } });
      return { ...seen, duplicate: true };
    }
    throw error;
  }
}
