// `npm run worker`: sends campaigns, and nothing else. Run any number of them beside a web
// process started with CAMPAIGN_SENDER=off, on any host; claims, leases and heartbeats keep them
// from sending twice (ADR 010, 040).

import { ConfigError, getEnv } from "../app/utils/env.server.ts";

try {
  getEnv();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const { ensureSigningKey } = await import("../app/domain/tokens/keyring.server.ts");
await ensureSigningKey();
// SQLite's planner statistics, before the sender's first batch (a no-op unless missing or stale);
// PostgreSQL's autovacuum keeps its own.
const { db, onPostgresql } = await import("../app/utils/db.server.ts");
if (!onPostgresql()) await (await import("../app/utils/query-statistics.server.ts")).refreshQueryStatistics(db);
const { startCampaignSender } = await import("../app/domain/campaigns/worker.server.ts");
const { sendStore } = await import("../app/domain/campaigns/send-store.server.ts");
const { getMailTransport } = await import("../app/domain/mail/transport.server.ts");
// The real parts: the store on this process's database, the promotional mail transport.
const sender = startCampaignSender({
  store: sendStore,
  transport: getMailTransport("promotional"),
  onRun: (campaignId, outcome) => console.log(`${new Date().toISOString()} campaign ${campaignId}: ${outcome}`),
});
console.log(`Campaign sender ${sender.owner} started.`);
// The sender waits on unref'd timers (so it never holds a web process open): keep this one alive.
const keepAlive = setInterval(() => {}, 60_000);

async function shutdown() {
  clearInterval(keepAlive);
  await sender.stop();
  // Link signatures are counted in memory and written every few seconds: write the last ones.
  await (await import("../app/domain/tokens/signature-counts.server.ts")).flushSignatureCounts();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
