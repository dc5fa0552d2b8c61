// The campaign sender's loop: start campaigns whose time has come, take one that no live
// sender holds, send it, repeat. `npm start` runs it inside the web process; `npm run worker`
// runs it alone. Several may share one database, on any host (leases, claims and heartbeats keep
// them apart: ADR 010, 040).

import { getEnv } from "~/utils/env.server.ts";
import { getMailTransport } from "~/domain/mail/transport.server.ts";
import type { MailTransport } from "~/domain/mail/outgoing-mail.server.ts";
import { RateLimiter } from "./rate-limit.ts";
import { startHeartbeat } from "./heartbeat.server.ts";
import { sendStore, type SendStore } from "./send-store.server.ts";
import { claimNextCampaign, runCampaign, senderId, startDueCampaigns, type RunOutcome, type SenderSettings } from "./sender.server.ts";

export type CampaignSender = { owner: string; stop(): Promise<void> };

export function startCampaignSender(
  options: Partial<Pick<SenderSettings, "batchSize" | "dispatchBatchSize" | "recordEvery" | "maxAttempts" | "pauseAfterFailures" | "retryBaseMs" | "ratePerSecond" | "concurrency">> & {
    /** The mail transport the messages go through (default: the promotional one). */
    transport?: MailTransport;
    store?: SendStore;
    pollMs?: number;
    onRun?: (campaignId: number, outcome: RunOutcome) => void;
  } = {},
): CampaignSender {
  const env = getEnv();
  const ratePerSecond = options.ratePerSecond ?? env.SEND_RATE_PER_SECOND;
  const owner = senderId();
  const store = options.store ?? sendStore;
  const heartbeat = startHeartbeat(store, owner);
  const settings: SenderSettings = {
    owner,
    store,
    heartbeat,
    messenger: options.transport ?? getMailTransport("promotional"),
    limiter: new RateLimiter(ratePerSecond),
    ratePerSecond,
    concurrency: options.concurrency ?? env.SEND_CONCURRENCY,
    batchSize: options.batchSize,
    dispatchBatchSize: options.dispatchBatchSize,
    recordEvery: options.recordEvery,
    maxAttempts: options.maxAttempts,
    pauseAfterFailures: options.pauseAfterFailures,
    retryBaseMs: options.retryBaseMs,
    stopping: () => stopped,
  };
  const pollMs = options.pollMs ?? 1000;
  let stopped = false;
  let wake: (() => void) | null = null;

  const loop = (async () => {
    await heartbeat.ready.catch((error: unknown) => console.error(`campaign sender: could not write its first heartbeat: ${(error as Error).message}`));
    while (!stopped) {
      try {
        await startDueCampaigns(new Date(), settings.store);
        const campaignId = await claimNextCampaign(settings.owner, new Date(), settings.store);
        if (campaignId !== null) {
          const outcome = await runCampaign(campaignId, settings);
          options.onRun?.(campaignId, outcome);
          continue;
        }
      } catch (error) {
        // A database hiccup must not end the sender; the lease lets another take over meanwhile.
        console.error(`campaign sender: ${(error as Error).message}`);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, pollMs).unref();
      });
    }
  })();

  return {
    owner: settings.owner,
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await heartbeat.stop();
    },
  };
}
