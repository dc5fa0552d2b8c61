import type { Tx } from "~/utils/db.server.ts";
import { normalizeEmail } from "~/domain/consent/email.ts";

/** Placeholder recipient kept on service-mail records of an erased person. */
export const ERASED_RECIPIENT = "erased@invalid";

/**
 * Erasure: service-mail records keep their category, unit, status and times (what was sent,
 * when) but lose the address and the data that named or linked the person.
 */
export async function forgetRecipient(email: string, tx: Tx): Promise<number> {
  const { count } = await tx.transactionalMessage.updateMany({
    where: { toEmail: normalizeEmail(email) },
    data: { toEmail: ERASED_RECIPIENT, data: "{}" },
  });
  return count;
}
