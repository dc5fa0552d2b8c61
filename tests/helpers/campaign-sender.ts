import { vi } from "vitest";
import { db } from "~/utils/db.server.ts";
import { startCampaignSender } from "~/domain/campaigns/worker.server.ts";
import { createSendStore } from "~/domain/campaigns/send-store.server.ts";

type SenderOptions = Parameters<typeof startCampaignSender>[0];

/**
 * Runs `senders` real campaign senders until the campaign leaves SENDING (its state polled, not a
 * guessed sleep; at most 20 s), stops them, and returns the status it reached.
 */
export async function runSendersUntilDone(campaignId: number, options: SenderOptions = {}, senders = 1) {
  const running = Array.from({ length: senders }, () => startCampaignSender({ pollMs: 10, ratePerSecond: 5000, concurrency: 4, ...options }));
  try {
    return await vi.waitFor(
      async () => {
        const { status } = await db.campaign.findUniqueOrThrow({ where: { id: campaignId }, select: { status: true } });
        if (status === "SENDING") throw new Error("the campaign did not finish within 20 s");
        return status;
      },
      { timeout: 20_000, interval: 25 },
    );
  } finally {
    await Promise.all(running.map((s) => s.stop()));
  }
}

/**
 * Lists a started campaign's whole audience and hands it back as pending, as a sender that stopped
 * mid-campaign leaves it: what changes from here on is caught only by the re-check at dispatch.
 */
export async function listWholeAudienceAsPending(campaignId: number) {
  const listed = await listFromStart(campaignId, "lister", 10_000);
  await createSendStore(db).releaseDeliveries(listed.map((d) => d.id));
}

/** Lists up to `take` of a started campaign's audience from its first contact, claimed by `owner`, as a sender's first step does. */
export async function listFromStart(campaignId: number, owner: string, take: number) {
  const { audienceRule, maxContactId } = await db.campaign.findUniqueOrThrow({ where: { id: campaignId }, select: { audienceRule: true, maxContactId: true } });
  return createSendStore(db).listAndClaimNextBatch(campaignId, owner, JSON.parse(audienceRule!), 0, maxContactId!, take, new Date());
}
