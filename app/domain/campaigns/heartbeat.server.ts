// A running sender's heartbeat (ADR 040): its row in "Sender" is renewed every BEAT_EVERY_MS by a
// timer, beside the sending, so a sender that dies on any host is known dead once its last beat
// is DEAD_AFTER_MS old, however long its lease or its step. While it sends a campaign that
// several senders share, each beat also hands the claims of dead senders back to the queue, so
// they are re-sent within DEAD_AFTER_MS + BEAT_EVERY_MS of the dead sender's last beat.

import os from "node:os";
import { describeFailure } from "~/domain/mail/outgoing-mail.server.ts";
import type { SendStore } from "./send-store.server.ts";

export const BEAT_EVERY_MS = 2_000;
/** Three beats missed: a busy event loop or a slow write is not taken for a death. */
export const DEAD_AFTER_MS = 6_000;
/** Rows of senders dead this long are swept (their claims went back long before). */
const SWEEP_AFTER_MS = 60 * 60_000;

/** The beats since which a sender counts as alive. */
export const liveSince = (now: Date): Date => new Date(now.getTime() - DEAD_AFTER_MS);

export type Heartbeat = {
  /** Resolves once the first beat is written. */
  ready: Promise<void>;
  /** How many times this sender found its own beat lapsed (presumed dead): a run that began before must stop, its claims may be another's now. */
  readonly lapses: number;
  /** The campaign this sender is sending now (null: none); beats at once, so the rate is shared from the next step. */
  sending(campaignId: number | null): void;
  /** Stops beating and removes the row: a sender that stops cleanly is not waited for. */
  stop(): Promise<void>;
};

export function startHeartbeat(store: SendStore, owner: string, { now = () => new Date(), beatEveryMs = BEAT_EVERY_MS } = {}): Heartbeat {
  let campaignId: number | null = null;
  let lapses = 0;
  let beating: Promise<void> = Promise.resolve();
  let stopped = false;

  async function beatOnce(): Promise<void> {
    const at = now();
    try {
      if (!(await store.beat(owner, at, liveSince(at), campaignId))) {
        // Others may have taken this sender's claims already: the run in progress stops (see lapses), and the sender starts beating anew.
        lapses += 1;
        console.error(`campaign sender ${owner}: its heartbeat had lapsed; it stops the campaign in hand and begins again`);
        await store.registerSender({ owner, host: os.hostname(), pid: process.pid, now: at, campaignId: null });
        return;
      }
      if (campaignId !== null && store.manySendersPerCampaign) await store.requeueUnrecordedDeliveries(campaignId, liveSince(at));
    } catch (error) {
      // A missed beat is survivable; three in a row make the others presume this sender dead.
      console.error(`campaign sender ${owner}: heartbeat failed: ${describeFailure(error)}`);
    }
  }
  /** Beats run one at a time. */
  const beat = () => (beating = beating.then(beatOnce));

  const first = now();
  const ready = store.registerSender({ owner, host: os.hostname(), pid: process.pid, now: first, campaignId: null });
  beating = ready.catch(() => {});
  const timer = setInterval(() => {
    if (!stopped) void beat();
  }, beatEveryMs);
  timer.unref();

  return {
    ready,
    get lapses() {
      return lapses;
    },
    sending(id) {
      campaignId = id;
      void beat();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await beating;
      await store.retireSenders(owner, new Date(now().getTime() - SWEEP_AFTER_MS)).catch(() => {});
    },
  };
}
