// The one-click writer thread (ADR 014). The web server posts it the verified one-click links
// of each event-loop turn; it writes them through the consent core on a database connection of
// its own, so opt-outs are written on a second core while the first answers HTTP.
// `npm run build` bundles it to build/one-click-writer-thread.js.

import { parentPort } from "node:worker_threads";
import { writeOneClick, type OneClickWrite } from "../app/domain/unsubscribe/one-click-batch.server.ts";

parentPort!.on("message", async ({ id, writes }: { id: number; writes: OneClickWrite[] }) => {
  const outcomes = await Promise.allSettled(writes.map(writeOneClick));
  parentPort!.postMessage({
    id,
    results: outcomes.map((o) => (o.status === "fulfilled" ? { answer: o.value } : { error: (o.reason as Error).message })),
  });
});
