// The campaign page while a campaign sends to the largest topic of a seeded database (a copy of
// bench:scale's file): how long the start, the page's loader (what the 2 s poll asks), a pause
// and a resume take, with a real sender mailing a real SMTP server on loopback meanwhile.
//
//   npx tsx bench/campaign-page.ts /tmp/copy-of-scale.db
//
// It writes a campaign into the file it is given: never point it at the shared cached file.

import path from "node:path";
import { SMTPServer } from "smtp-server";

const file = process.argv[2];
if (!file || file.includes("var/bench/")) {
  console.error("Give a copy of the scale database: it writes a campaign into it.");
  process.exit(2);
}
process.env.DATABASE_URL = `file:${path.resolve(file)}`;

const { db } = await import("../app/utils/db.server.ts");
const { CLI_OPERATOR, campaignReport, findCampaign, pauseCampaign, resumeCampaign, sendNow } = await import("../app/domain/campaigns/campaigns.server.ts");
const { startCampaign } = await import("../app/domain/campaigns/sender.server.ts");
const { startCampaignSender } = await import("../app/domain/campaigns/worker.server.ts");
const { createMailTransport } = await import("../app/domain/mail/transport.server.ts");
const { campaignFeedback } = await import("../app/domain/feedback/rates.server.ts");
const { unitStanding } = await import("../app/domain/feedback/guard-rails.server.ts");
const { ensureSigningKey } = await import("../app/domain/tokens/keyring.server.ts");

const timed = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
  const started = performance.now();
  const value = await work();
  return [performance.now() - started, value];
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (values: number[]) => `p50 ${median(values).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms (n=${values.length})`;

const parts = { report: [] as number[], feedback: [] as number[], standing: [] as number[] };

/** What the campaign page's loader asks while a campaign sends (the poll asks the same). */
async function pageLoad(id: number) {
  const [report, result] = await timed(() => campaignReport(CLI_OPERATOR, id));
  const [feedback] = await timed(() => campaignFeedback(id));
  const [standing] = await timed(() => unitStanding(result.campaign.unitId, new Date()));
  parts.report.push(report);
  parts.feedback.push(feedback);
  parts.standing.push(standing);
  return result;
}

async function sample(label: string, id: number, n: number) {
  const times: number[] = [];
  let last;
  for (let i = 0; i < n; i++) {
    const [t, report] = await timed(() => pageLoad(id));
    times.push(t);
    last = report;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log(`${label}: ${fmt(times)} — counts ${JSON.stringify(last!.counts)}`);
}

const server = new SMTPServer({ authOptional: true, disabledCommands: ["STARTTLS"], logger: false, onData: (stream, _s, done) => stream.on("data", () => {}).on("end", () => done()) });
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.server.address() as { port: number }).port;
const transport = createMailTransport({ MAIL_TRANSPORT: "smtp", SMTP_URL: `smtp://127.0.0.1:${port}`, OUTBOX_DIR: "unused" });
await ensureSigningKey();

// The largest topic: the seed weights the first topics most.
const topic = await db.topic.findFirstOrThrow({ where: { offersEmail: true, archivedAt: null }, orderBy: { id: "asc" }, select: { id: true, unitId: true, name: true } });
const campaign = await db.campaign.create({ data: { unitId: topic.unitId, topicId: topic.id, name: "Scale", subject: "Scale", bodyMarkdown: "# Hello\n\nA campaign." } });
console.log(`campaign ${campaign.id} on “${topic.name}” (topic ${topic.id})`);

const [startMs] = await timed(() => startCampaign(campaign.id));
console.log(`start of a scheduled campaign (freeze the rule and bounds, count the audience if kept, mark SENDING): ${startMs.toFixed(1)} ms`);
const third = await db.campaign.create({ data: { unitId: topic.unitId, topicId: topic.id, name: "Scale 3", subject: "Scale 3", bodyMarkdown: "# Hello\n\nA campaign." } });
// What sendNow's own start costs once its confirmation count is known (older code ignores the option).
const [givenMs] = await timed(() => startCampaign(third.id, new Date(), { audience: 1 } as never));
console.log(`start with the audience already counted: ${givenMs.toFixed(1)} ms`);
await db.campaign.update({ where: { id: third.id }, data: { status: "CANCELLED" } });
// sendNow as a marketer presses it: its checks, the audience count, then the start; on a second campaign.
const second = await db.campaign.create({ data: { unitId: topic.unitId, topicId: topic.id, name: "Scale 2", subject: "Scale 2", bodyMarkdown: "# Hello\n\nA campaign." } });
const [sendNowMs] = await timed(() => sendNow(CLI_OPERATOR, second.id));
console.log(`sendNow (checks, audience count, start): ${sendNowMs.toFixed(1)} ms`);
await db.campaign.update({ where: { id: second.id }, data: { status: "CANCELLED" } });

const sender = startCampaignSender({ transport, pollMs: 50, ratePerSecond: 1000, concurrency: 4 });
try {
  for (;;) {
    const { sentCount } = await db.campaign.findUniqueOrThrow({ where: { id: campaign.id }, select: { sentCount: true } });
    if (sentCount >= 2000) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await sample("page load / poll while sending", campaign.id, 8);
  const pauses: number[] = [];
  const pausesWithPage: number[] = [];
  const resumes: number[] = [];
  for (let i = 0; i < 3; i++) {
    // The action (who may, then the write), then the page Remix loads again after it.
    const [action] = await timed(async () => {
      await findCampaign(CLI_OPERATOR, campaign.id);
      await pauseCampaign(CLI_OPERATOR, campaign.id);
    });
    const [page] = await timed(() => pageLoad(campaign.id));
    pauses.push(action);
    pausesWithPage.push(action + page);
    await sample("page load / poll while paused", campaign.id, 3);
    const [resume] = await timed(async () => {
      await findCampaign(CLI_OPERATOR, campaign.id);
      await resumeCampaign(CLI_OPERATOR, campaign.id);
    });
    resumes.push(resume);
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  console.log(`pause (action): ${fmt(pauses)}`);
  console.log(`pause (action + page): ${fmt(pausesWithPage)}`);
  console.log(`resume (action): ${fmt(resumes)}`);
  await sample("page load / poll while sending again", campaign.id, 5);
  console.log(`of which campaignReport ${fmt(parts.report)}; campaignFeedback ${fmt(parts.feedback)}; unitStanding ${fmt(parts.standing)}`);
} finally {
  await db.campaign.update({ where: { id: campaign.id }, data: { status: "CANCELLED" } });
  await sender.stop();
  await transport.close();
  server.close();
  await db.$disconnect();
}
