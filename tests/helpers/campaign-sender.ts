import { vi } from "vitest";
import { db } from "~/utils/db.server.ts";
import { startCampaignSender } from "~/domain/campaigns/worker.server.ts";

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
