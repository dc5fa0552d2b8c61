// `npm run bench:send`: one campaign to 200,000 eligible contacts (and 20,000 who may not get
// it), sent by `npm run worker` through the smtp transport to a real SMTP server (smtp-server)
// on loopback; in the same run, the ceiling: a bare nodemailer pool sending as many identical
// pre-built messages to the same server (bench/send-ceiling.ts). Prints messages/s for both,
// their ratio and the sender's peak RSS, and checks that the server received exactly one
// message per eligible contact and none for anyone else.
//
// `npm run bench:send -- --kill`: also SIGKILLs the sender mid-campaign, starts a new one, and
// checks again. A message the killed sender handed to the server whose answer it had not yet
// written down is sent again (ADR 010): the run counts such repeats, checks each carries the
// Message-ID of the first copy, and fails if there are more than can be unrecorded at once
// (IN_DOUBT_AT_MOST). The ratio goal is checked without --kill: the outage is part of this run.
//
// Environment: BENCH_CONTACTS (eligible contacts, default 200000), SEND_CONCURRENCY (default 8),
// BENCH_PROFILE_DIR (the sender and the ceiling write --cpu-prof profiles in sender/ and ceiling/ there).
// Exit status: 0 checks passed, 1 a check failed, 2 the benchmark itself could not run.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import type net from "node:net";
import Database from "better-sqlite3";
import { SMTPServer } from "smtp-server";
import { giveUpAfter, int, migrate, onCleanUp, prismaDate, ROOT, runBenchmark, sleep, startProcess, step, tempDir, tsx, type ChildProcess, type ProcessStats } from "./harness.ts";

const ELIGIBLE = Number(process.env.BENCH_CONTACTS ?? 200_000);
// Every 11th contact may not get the campaign, for one of five reasons (see seed()).
const CONTACTS = Math.floor((ELIGIBLE * 11) / 10);
const CONCURRENCY = Number(process.env.SEND_CONCURRENCY ?? 8);
const KILL = process.argv.includes("--kill");
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR ? path.resolve(process.env.BENCH_PROFILE_DIR) : null;
// The sender is killed once the sink has this share of the messages.
const KILL_AT = 0.4;
/** Node flags that make a process write its CPU profile into BENCH_PROFILE_DIR/<name>/, when set. */
const profileFlags = (name: string) => (PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${path.join(PROFILE_DIR, name)}`] : []);
const GOALS = { ratio: 0.6, peakRssMb: 300 };
// How many messages can have been handed to the server without their outcome written down when
// the sender dies (sender.server.ts, ADR 010): outcomes are written every RECORD_EVERY messages,
// one write at a time, so one group being written, the next filling up, and the lanes' sends in
// flight; each group may overshoot by the lanes that finished while the write before it ran.
const RECORD_EVERY = 50;
const IN_DOUBT_AT_MOST = 2 * RECORD_EVERY + 3 * CONCURRENCY;

giveUpAfter(30 * 60_000);

const isIneligible = (contactId: number) => contactId % 11 === 0;
const INELIGIBLE_KINDS = ["unit opt-out", "global opt-out", "suppressed", "unsubscribed", "snoozed"] as const;

type Fixture = { unitId: number; topicId: number };

/** Bench setup, not app code: straight SQL in one transaction (the consent core would take minutes). */
function seed(databaseFile: string): Fixture {
  const db = new Database(databaseFile);
  db.pragma("journal_mode = WAL");
  const now = prismaDate(new Date());
  const later = prismaDate(new Date(Date.now() + 90 * 86_400_000));
  const consentedAt = prismaDate(new Date(Date.now() - 30 * 86_400_000));
  const fixture = db.transaction((): Fixture => {
    const unitId = Number(
      db
        .prepare(
          `INSERT INTO BusinessUnit (slug, displayName, legalName, postalAddress, contactEmail, contactUrl, fromName, fromEmail, sendingDomain, oneClickScope, createdAt, updatedAt)
           VALUES ('bench', 'Bench Brand', 'Bench Brand Ltd', '1 Load Street, Testville, BE1 0NC', 'help@bench.example.com', 'https://bench.example.com', 'Bench Brand', 'news@bench.example.com', 'bench.example.com', 'UNIT', ?, ?)`,
        )
        .run(now, now).lastInsertRowid,
    );
    const topicId = Number(
      db
        .prepare(`INSERT INTO Topic (unitId, slug, name, description, offersEmail, createdAt) VALUES (?, 'offers', 'Offers', 'Discounts and new products.', 1, ?)`)
        .run(unitId, now).lastInsertRowid,
    );
    db.prepare(`INSERT INTO SigningKey (kid, secret, createdAt) VALUES (?, ?, ?)`).run(crypto.randomBytes(6).toString("base64url"), crypto.randomBytes(32).toString("base64url"), now);
    const contact = db.prepare(`INSERT INTO Contact (id, email, name, locale, createdAt, updatedAt) VALUES (?, ?, ?, 'en', ?, ?)`);
    const subscription = db.prepare(
      `INSERT INTO Subscription (contactId, topicId, channel, status, basis, consentedAt, updatedAt) VALUES (?, ?, 'EMAIL', ?, 'EXPRESS', ?, ?)`,
    );
    const unitOptOut = db.prepare(`INSERT INTO UnitOptOut (contactId, unitId, channel, createdAt) VALUES (?, ?, 'EMAIL', ?)`);
    const globalOptOut = db.prepare(`INSERT INTO GlobalOptOut (contactId, channel, createdAt) VALUES (?, 'EMAIL', ?)`);
    const suppression = db.prepare(`INSERT INTO Suppression (emailHash, email, contactId, reason, note, createdAt) VALUES (?, ?, ?, 'MANUAL', 'bench', ?)`);
    const snooze = db.prepare(`INSERT INTO Snooze (contactId, unitId, until, createdAt) VALUES (?, ?, ?, ?)`);
    for (let id = 1; id <= CONTACTS; id++) {
      const email = `contact.${id}@bench.example.com`;
      contact.run(id, email, `Contact ${id}`, now, now);
      const kind = isIneligible(id) ? INELIGIBLE_KINDS[(id / 11) % INELIGIBLE_KINDS.length] : null;
      subscription.run(id, topicId, kind === "unsubscribed" ? "UNSUBSCRIBED" : "SUBSCRIBED", consentedAt, now);
      if (kind === "unit opt-out") unitOptOut.run(id, unitId, now);
      if (kind === "global opt-out") globalOptOut.run(id, now);
      if (kind === "suppressed") suppression.run(`bench-${id}`, email, id, now);
      if (kind === "snoozed") snooze.run(id, unitId, later, now);
    }
    return { unitId, topicId };
  })();
  db.close();
  return fixture;
}

// ---------------------------------------------------------------------------------------------
// The sink: a real SMTP server that counts what it receives per recipient.

type Sink = {
  url: string;
  /** Messages received per contact id (index), and the Message-ID of the first copy. */
  counts: Uint16Array;
  firstMessageId: (string | undefined)[];
  total: number;
  /** Repeats whose Message-ID differs from the first copy's. */
  repeatsWithNewMessageId: number;
  firstAt: number;
  lastAt: number;
  reset(): void;
  close(): Promise<void>;
};

async function startSink(): Promise<Sink> {
  const sink: Sink = {
    url: "",
    counts: new Uint16Array(CONTACTS + 2),
    firstMessageId: [],
    total: 0,
    repeatsWithNewMessageId: 0,
    firstAt: 0,
    lastAt: 0,
    reset() {
      this.counts.fill(0);
      this.firstMessageId = [];
      this.total = 0;
      this.repeatsWithNewMessageId = 0;
      this.firstAt = 0;
    },
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    maxClients: 1000,
    onData(stream, session, callback) {
      // Only the header is kept (for the Message-ID); the body is read and dropped.
      let head = "";
      stream.on("data", (chunk: Buffer) => {
        if (head.length < 8192 && !head.includes("\r\n\r\n")) head += chunk.toString("latin1", 0, Math.min(chunk.length, 8192));
      });
      stream.on("end", () => {
        const id = Number(/^contact\.(\d+)@/.exec(session.envelope.rcptTo[0]?.address ?? "")?.[1] ?? 0);
        const messageId = /\r\nMessage-ID:\s*(<[^>\r\n]+>)/i.exec(`\r\n${head}`)?.[1];
        if (id > 0 && id < sink.counts.length) {
          if (sink.counts[id] === 0) sink.firstMessageId[id] = messageId;
          else if (sink.firstMessageId[id] !== messageId) sink.repeatsWithNewMessageId++;
          sink.counts[id]++;
        }
        sink.total++;
        sink.lastAt = performance.now();
        if (sink.firstAt === 0) sink.firstAt = sink.lastAt;
        callback();
      });
    },
  });
  // A sender killed mid-message resets its connections: expected in --kill mode, not a failure.
  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "ECONNRESET" && error.code !== "EPIPE") console.error(`SMTP sink: ${error.message}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  sink.url = `smtp://127.0.0.1:${(server.server.address() as net.AddressInfo).port}`;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}

/** Received messages per second, first to last, and how long that took. */
function pace(sink: Sink) {
  const seconds = (sink.lastAt - sink.firstAt) / 1000;
  return { seconds, perSecond: sink.total / Math.max(seconds, 0.001) };
}

function progressLine(label: string, done: number, total: number, started: number) {
  const seconds = (performance.now() - started) / 1000;
  return `  ${label}: ${int(done)}/${int(total)} (${Math.round((100 * done) / total)}%), ${int(done / Math.max(seconds, 0.001))}/s`;
}

async function waitFor(condition: () => boolean, what: string, child: ChildProcess | null, progress: () => string, timeoutMs = 20 * 60_000) {
  const deadline = Date.now() + timeoutMs;
  let lastPrint = 0;
  while (!condition()) {
    const crash = child?.crash();
    if (crash) throw new Error(`The ${child!.name} process died while ${what}: ${crash}`);
    if (Date.now() > deadline) throw new Error(`Timed out while ${what}.`);
    child?.processStats(); // keeps the last peak RSS reading
    if (Date.now() - lastPrint >= 5000) {
      console.log(progress());
      lastPrint = Date.now();
    }
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------
// The ceiling: a bare nodemailer pool sending a pre-built copy of the app's message.

/** One message exactly as the app builds it for the first contact (same size and headers). */
async function buildSampleMessage(file: string, databaseFile: string): Promise<void> {
  process.env.DATABASE_URL = `file:${databaseFile}`;
  const { prepareCampaignMessage, personalize } = await import("../app/domain/campaigns/message.server.ts");
  const { composeMessage } = await import("../app/domain/mail/outgoing-mail.server.ts");
  const { unsubscribeUrl, preferencesUrl } = await import("../app/domain/tokens/links.server.ts");
  const { db } = await import("../app/utils/db.server.ts");
  const MailComposer = (await import("nodemailer/lib/mail-composer/index.js")).default;
  const unit = await db.businessUnit.findFirstOrThrow({ where: { slug: "bench" } });
  const topic = await db.topic.findFirstOrThrow({ where: { unitId: unit.id } });
  const prepared = await prepareCampaignMessage({ ...CAMPAIGN, advertisementLabel: false, topicName: topic.name }, unit, { campaignId: 1, topic });
  const link = { contactId: 1, unitId: unit.id };
  const { mailtoUnsubscribeFor, returnPathFor } = await import("../app/domain/feedback/addresses.server.ts");
  const ref = { stream: "campaign", deliveryId: 1 } as const;
  const bounceDomain = `bounces.${unit.sendingDomain}`;
  const mail = personalize(prepared, {
    email: "contact.1@bench.example.com",
    returnPath: returnPathFor(ref, bounceDomain),
    mailtoUnsubscribe: mailtoUnsubscribeFor(ref, bounceDomain),
    unsubscribeUrl: await unsubscribeUrl({ ...link, topicId: topic.id, campaignId: 1, channel: "EMAIL" }),
    preferencesUrl: await preferencesUrl(link),
    reason: `You subscribed to ${topic.name} from ${unit.displayName} on 1 January 2026.`,
  });
  fs.writeFileSync(file, await new MailComposer(composeMessage(mail)).compile().build());
  await db.$disconnect();
}

const CAMPAIGN = {
  subject: "Our winter offers",
  preheader: "Three things we think you will like",
  bodyMarkdown: [
    "# Winter offers",
    "",
    "Hello, here is what is new this month at **Bench Brand**:",
    "",
    "- 20% off every annual plan until the end of the month",
    "- A new travel add-on, [read about it](https://bench.example.com/travel)",
    "- Free shipping on orders over £30",
    "",
    "Thank you for being with us.",
  ].join("\n"),
};

// ---------------------------------------------------------------------------------------------

type Verdict = { received: number; eligibleReceived: number; eligibleMissing: number; ineligibleReceived: number; repeats: number; repeatsWithNewMessageId: number };

function verify(sink: Sink): Verdict {
  const verdict: Verdict = { received: sink.total, eligibleReceived: 0, eligibleMissing: 0, ineligibleReceived: 0, repeats: 0, repeatsWithNewMessageId: sink.repeatsWithNewMessageId };
  for (let id = 1; id <= CONTACTS; id++) {
    const n = sink.counts[id];
    if (isIneligible(id)) verdict.ineligibleReceived += n;
    else if (n === 0) verdict.eligibleMissing++;
    else verdict.eligibleReceived++;
    if (n > 1) verdict.repeats += n - 1;
  }
  return verdict;
}

function campaignRow(databaseFile: string, campaignId: number) {
  const db = new Database(databaseFile, { readonly: true });
  try {
    return db.prepare(`SELECT status, sentCount, failedCount, skippedCount, pausedReason FROM Campaign WHERE id = ?`).get(campaignId) as {
      status: string;
      sentCount: number;
      failedCount: number;
      skippedCount: number;
      pausedReason: string | null;
    };
  } finally {
    db.close();
  }
}

async function main(): Promise<boolean> {
  if (!(Number.isSafeInteger(ELIGIBLE) && ELIGIBLE >= 1000)) throw new Error(`BENCH_CONTACTS must be a whole number ≥ 1000 (got "${process.env.BENCH_CONTACTS}").`);
  const tmp = tempDir("send-bench-");
  // The sender is `npm run worker`: the bundle `npm run build` makes.
  await step("Building the worker (npm run build:worker)", () => execFileSync("npm", ["run", "build:worker"], { cwd: ROOT, stdio: "pipe", timeout: 120_000 }));
  const databaseFile = path.join(tmp, "app.db");
  await step("Migrating a fresh SQLite database", () => migrate(databaseFile));
  await step(`Seeding ${int(ELIGIBLE)} eligible contacts and ${int(CONTACTS - ELIGIBLE)} who may not be mailed (${INELIGIBLE_KINDS.join(", ")})`, () => seed(databaseFile));
  const sink = await startSink();
  onCleanUp(() => sink.close());
  const messageFile = path.join(tmp, "message.eml");
  await step("Building one message as the app does, for the ceiling", () => buildSampleMessage(messageFile, databaseFile));

  // The ceiling first, alone on the machine.
  const ceilingProcess = await startProcess(
    "ceiling",
    tsx(...profileFlags("ceiling"), "bench/send-ceiling.ts", sink.url, messageFile, String(ELIGIBLE), String(CONCURRENCY)),
    process.env,
    path.join(tmp, "ceiling.log"),
    "ceiling ready",
  );
  const ceilingStarted = performance.now();
  await waitFor(() => sink.total >= ELIGIBLE, "the ceiling was sending", ceilingProcess, () => progressLine("ceiling", sink.total, ELIGIBLE, ceilingStarted));
  const ceilingStats = ceilingProcess.processStats();
  const ceiling = { ...pace(sink), received: sink.total, peakRssMb: ceilingStats?.peakRssMb ?? null, cpuSeconds: ceilingStats?.cpuSeconds ?? null };
  await ceilingProcess.stop();
  sink.reset();

  // The app: `campaign send` creates and starts the campaign; `npm run worker` sends it.
  const bodyFile = path.join(tmp, "campaign.md");
  fs.writeFileSync(bodyFile, CAMPAIGN.bodyMarkdown);
  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: `file:${databaseFile}`,
    MAIL_TRANSPORT: "smtp",
    SMTP_URL: sink.url,
    // The transport is what is measured: the rate limit must not be the bottleneck.
    SEND_RATE_PER_SECOND: "100000",
    SEND_CONCURRENCY: String(CONCURRENCY),
    PUBLIC_URL: "https://prefs.bench.example.com",
  };
  const started = await step("Creating and starting the campaign (npm run cli -- campaign send)", () =>
    execFileSync(
      path.join(ROOT, "node_modules/.bin/tsx"),
      ["app/cli/main.ts", "campaign", "send", "--unit", "bench", "--topic", "offers", "--subject", CAMPAIGN.subject, "--preheader", CAMPAIGN.preheader, "--body", bodyFile],
      { cwd: ROOT, env: appEnv, encoding: "utf8", timeout: 120_000 },
    ),
  );
  const campaignId = Number(/Campaign (\d+) started/.exec(started)?.[1]);
  if (!campaignId) throw new Error(`campaign send did not start a campaign:\n${started}`);

  const senderLog = path.join(tmp, "sender.log");
  // Exactly what `npm run worker` runs (node, its flags, the bundle), without npm in between.
  const workerCommand = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.worker.split(/\s+/);
  const [node, ...workerArgs] = workerCommand;
  const startSender = () =>
    startProcess("sender", [node, ...profileFlags("sender"), ...workerArgs], appEnv, senderLog, "Campaign sender");
  let sender = await startSender();
  const appStarted = performance.now();
  const senderStats: ProcessStats[] = [];
  const keepStats = (child: ChildProcess) => senderStats.push(child.processStats() ?? { peakRssMb: 0, cpuSeconds: 0 });
  let killedAt: number | null = null;
  let restartSeconds: number | null = null;
  if (KILL) {
    await waitFor(() => sink.total >= ELIGIBLE * KILL_AT, "the sender was sending", sender, () => progressLine("app", sink.total, ELIGIBLE, appStarted));
    await sender.kill();
    killedAt = sink.total;
    keepStats(sender);
    console.log(`  SIGKILL sent to the sender after ${int(killedAt)} messages; starting a new one`);
    const restarted = performance.now();
    sender = await startSender();
    await waitFor(() => sink.total > killedAt!, "the new sender was taking over", sender, () => "  waiting for the new sender to take the campaign over…");
    restartSeconds = (performance.now() - restarted) / 1000;
  }
  const isDone = () => {
    const row = campaignRow(databaseFile, campaignId);
    return row.status !== "SENDING";
  };
  let lastCheck = 0;
  let done = false;
  await waitFor(
    () => {
      // The database is read at most twice a second; the sink count on every tick.
      if (performance.now() - lastCheck > 500) {
        lastCheck = performance.now();
        done = isDone();
      }
      return done;
    },
    "the sender was sending",
    sender,
    () => progressLine("app", sink.total, ELIGIBLE, appStarted),
  );
  keepStats(sender);
  await sender.stop();
  const app = { ...pace(sink), received: sink.total };
  const row = campaignRow(databaseFile, campaignId);
  const verdict = verify(sink);
  const cpuSeconds = senderStats.reduce((sum, stats) => sum + stats.cpuSeconds, 0);
  return report({ ceiling, app: { ...app, cpuSeconds }, row, verdict, peakRssMb: Math.max(...senderStats.map((stats) => stats.peakRssMb)), killedAt, restartSeconds });
}

function report(r: {
  ceiling: { perSecond: number; seconds: number; received: number; peakRssMb: number | null; cpuSeconds: number | null };
  app: { perSecond: number; seconds: number; received: number; cpuSeconds: number };
  row: ReturnType<typeof campaignRow>;
  verdict: Verdict;
  peakRssMb: number;
  killedAt: number | null;
  restartSeconds: number | null;
}): boolean {
  const { ceiling, app, row, verdict } = r;
  const line = (label: string, a: string, c: string) => console.log(`${label.padEnd(32)}${a.padStart(20)}${c.padStart(22)}`);
  const ratio = app.perSecond / ceiling.perSecond;
  console.log(`\nOne campaign to ${int(ELIGIBLE)} eligible of ${int(CONTACTS)} contacts, SMTP on loopback, concurrency ${CONCURRENCY}${KILL ? ", sender SIGKILLed once" : ""}`);
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs (SMTP server in this process, on the same machine)\n`);
  line("", "app (npm run worker)", "ceiling (nodemailer)");
  line("messages/s (first to last)", int(app.perSecond), int(ceiling.perSecond));
  line("messages received", int(app.received), int(ceiling.received));
  line("seconds, first to last", app.seconds.toFixed(1), ceiling.seconds.toFixed(1));
  line("sender peak RSS", `${int(r.peakRssMb)} MB`, ceiling.peakRssMb === null ? "n/a" : `${int(ceiling.peakRssMb)} MB`);
  // CPU time over the messages sent, start-up included: less at the mercy of a noisy machine than messages/s.
  const cpuPerMessage = (seconds: number | null, received: number) => (seconds === null ? "n/a" : `${((seconds * 1000) / received).toFixed(3)} ms`);
  line("sender CPU per message", cpuPerMessage(app.cpuSeconds, app.received), cpuPerMessage(ceiling.cpuSeconds, ceiling.received));
  console.log(`\nratio app / ceiling (messages/s): ${ratio.toFixed(3)}${r.killedAt === null ? "" : " (the app's time includes the kill and the restart)"}`);
  console.log(`campaign: ${row.status}, sent ${int(row.sentCount)}, failed ${row.failedCount}, skipped ${row.skippedCount}${row.pausedReason ? ` (${row.pausedReason})` : ""}`);
  if (r.killedAt !== null) {
    console.log(`killed after ${int(r.killedAt)} messages; the new sender sent its first message ${r.restartSeconds!.toFixed(1)} s after it was started`);
  }
  const checks: { pass: boolean; text: string }[] = [
    { pass: row.status === "SENT", text: `the campaign finished (status ${row.status})` },
    { pass: verdict.eligibleMissing === 0, text: `every eligible contact received the campaign: ${int(verdict.eligibleReceived)} of ${int(ELIGIBLE)} (${int(verdict.eligibleMissing)} missing)` },
    { pass: verdict.ineligibleReceived === 0, text: `no message to the ${int(CONTACTS - ELIGIBLE)} contacts who may not be mailed (${verdict.ineligibleReceived})` },
    r.killedAt === null
      ? { pass: verdict.repeats === 0, text: `exactly one message per eligible contact: ${int(verdict.received)} received for ${int(ELIGIBLE)}` }
      : {
          pass: verdict.repeats <= IN_DOUBT_AT_MOST && verdict.repeatsWithNewMessageId === 0,
          text:
            `after the SIGKILL: ${int(verdict.received)} received for ${int(ELIGIBLE)}; ${verdict.repeats} sent again ` +
            `(handed to the server, answer not yet written down when the sender died; at most ${IN_DOUBT_AT_MOST}), ` +
            `${verdict.repeatsWithNewMessageId} of them with a new Message-ID`,
        },
    { pass: row.sentCount === ELIGIBLE && row.failedCount === 0, text: `the campaign's own count agrees: sent ${int(row.sentCount)}, failed ${row.failedCount}` },
    // With --kill the app's time includes the kill and the restart on purpose: its ratio is shown, the goal is the plain run's.
    ...(r.killedAt === null ? [{ pass: ratio >= GOALS.ratio, text: `goal: ratio ≥ ${GOALS.ratio} (${ratio.toFixed(3)})` }] : []),
    { pass: r.peakRssMb < GOALS.peakRssMb, text: `goal: sender peak RSS < ${GOALS.peakRssMb} MB (${int(r.peakRssMb)} MB)` },
  ];
  console.log("");
  for (const check of checks) console.log(`${check.pass ? "PASS" : "FAIL"}  ${check.text}`);
  return checks.every((check) => check.pass);
}

await runBenchmark(main);
