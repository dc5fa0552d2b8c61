import { db, type Db, type Tx } from "~/utils/db.server.ts";
import { addressHash } from "./address-hash.server.ts";
import { normalizeEmail } from "./email.ts";

// Service (transactional) mail ignores preferences: only a hard bounce or an erasure of the
// address stops it. One rule, read by the transactional send path and by the product's own
// staff alerts alike.

export type ServiceMailBlock = "HARD_BOUNCE" | "ERASED";

/** The suppression that stops service mail to an address, if any; HARD_BOUNCE is reported before ERASED. */
export async function addressBlock(
  email: string,
  options: { reachesErasedAddress?: boolean } = {},
  client: Db | Tx = db,
): Promise<ServiceMailBlock | null> {
  const blocking = await client.suppression.findMany({
    where: { emailHash: addressHash(normalizeEmail(email)), reason: { in: options.reachesErasedAddress ? ["HARD_BOUNCE"] : ["HARD_BOUNCE", "ERASED"] } },
    select: { reason: true },
  });
  const reasons = blocking.map((b) => b.reason);
  return reasons.includes("HARD_BOUNCE") ? "HARD_BOUNCE" : reasons.includes("ERASED") ? "ERASED" : null;
}

/** Why a service message to a blocked address was refused, as its refusedReason says it. */
export function serviceMailRefusal(block: ServiceMailBlock): string {
  return block === "HARD_BOUNCE" ? "The address bounced permanently (HARD_BOUNCE suppression)." : "The address was erased at the person's request.";
}
