import { db } from "~/utils/db.server.ts";
import { addressHash } from "~/domain/consent/address-hash.server.ts";
import { takeThrottle } from "~/domain/throttle/throttle.server.ts";
import { sendingUnitFor } from "~/domain/units/sending-unit.server.ts";
import { preferencesUrl } from "~/domain/tokens/links.server.ts";
import { sendTransactional } from "~/domain/transactional/send.server.ts";
import type { Requester } from "./unsubscribe.server.ts";

const HOUR_MS = 3_600_000;
export const NEW_LINK_LIMITS = { perAddress: 3, perIp: 20, windowMs: HOUR_MS };

/**
 * "Email me a new link" from a page whose link no longer works. Known addresses get a fresh
 * preferences link as a service message; the caller answers identically either way, and the
 * send is not awaited so the answer takes as long for an unknown address as for a known one.
 */
export async function requestNewPreferencesLink(
  email: string,
  requester: Requester,
): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
  const byAddress = await takeThrottle(`new-link:address:${addressHash(email)}`, NEW_LINK_LIMITS.perAddress, NEW_LINK_LIMITS.windowMs);
  const byIp = requester.ip
    ? await takeThrottle(`new-link:ip:${requester.ip}`, NEW_LINK_LIMITS.perIp, NEW_LINK_LIMITS.windowMs)
    : byAddress;
  if (!byAddress.allowed || !byIp.allowed) {
    return { allowed: false, retryAfterSeconds: Math.max(byAddress.allowed ? 0 : byAddress.retryAfterSeconds, byIp.allowed ? 0 : byIp.retryAfterSeconds) };
  }
  void sendNewLink(email).catch((error) => console.error(`New preferences link: ${(error as Error).message}`));
  return { allowed: true };
}

async function sendNewLink(email: string): Promise<void> {
  const contact = await db.contact.findUnique({ where: { email }, select: { id: true, name: true } });
  if (!contact) return;
  const unitId = await sendingUnitFor(contact.id);
  if (!unitId) return;
  // The link opens the unit's preferences; the message comes from the group, as all account mail (ADR 044).
  await sendTransactional({
    unitId: null,
    category: "preference-link",
    to: email,
    template: "preference-link",
    data: { url: await preferencesUrl({ contactId: contact.id, unitId }), ...(contact.name ? { recipientName: contact.name } : {}) },
    idempotencyKey: `preference-link:${contact.id}:${Date.now()}`,
  });
}
