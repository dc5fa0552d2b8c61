// `npm run bench:inbound`: 20,000 mixed messages (hard and soft DSNs, ARF complaints, mailto
// unsubscribes) over SMTP on loopback into the inbound server (`npm run inbound`, its own
// process), and in the same run the ceiling: a bare smtp-server (also its own process) that
// accepts the same messages and discards them. Prints messages/s for both, their ratio and
// the inbound server's peak RSS, and checks that each message had exactly its effect (stored
// messages by kind, suppressions, opt-outs and their ledger events) and that the next campaign's
// audience leaves out every address it should and no other.
//
// Environment: BENCH_MESSAGES (default 20000), INBOUND_CONCURRENCY (SMTP connections, default 8),
// BENCH_PROFILE_DIR (the inbound server writes a --cpu-prof profile there).
// Exit status: 0 checks passed, 1 a check failed, 2 the benchmark itself could not run.
//
// `tsx bench/inbound.ts --ceiling <port>` is the ceiling process itself.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import Database from "better-sqlite3";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { freePort, ROOT, giveUpAfter, int, migrate, prismaDate, runBenchmark, sleep, startProcess, step, tempDir, tsx, type ChildProcess } from "./harness.ts";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const CONCURRENCY = Number(process.env.INBOUND_CONCURRENCY ?? 8);
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR ? path.resolve(process.env.BENCH_PROFILE_DIR) : null;
const GOALS = { ratio: 0.5, peakRssMb: 300 };
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** The ceiling: the same SMTP dialogue (size limit, no AUTH), every recipient accepted, every message read and dropped. */
async function runCeiling(port: number): Promise<void> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    size: MAX_MESSAGE_BYTES,
    rejectOversized: true,
    hideENHANCEDSTATUSCODES: false,
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.on("data", () => {});
      stream.on("end", () => callback(null, "Received"));
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  console.log("ceiling ready");
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}

// ---------------------------------------------------------------------------------------------
// Who gets which report: each contact plays one part, by id.

const PARTS = ["hard", "hard", "soft ×3", "soft ×3", "soft ×1", "complaint", "complaint", "mailto", "mailto", "untouched"] as const;
type Part = (typeof PARTS)[number];
const partOf = (contactId: number): Part => PARTS[contactId % PARTS.length];
const CAMPAIGNS = 3;
const BOUNCE_DOMAIN = "bounces.bench.example.com";

type BenchMessage = { from: string; to: string; raw: Buffer };
type Fixture = { unitId: number; topicId: number; contacts: number; campaignIds: number[] };

/** Bench setup, not app code: straight SQL in one transaction. Three campaigns already sent to every contact. */
function seed(databaseFile: string, contacts: number): Fixture {
  const db = new Database(databaseFile);
  db.pragma("journal_mode = WAL");
  const now = prismaDate(new Date());
  const consentedAt = prismaDate(new Date(Date.now() - 30 * 86_400_000));
  const fixture = db.transaction((): Fixture => {
    const unitId = Number(
      db
        .prepare(
          `INSERT INTO BusinessUnit (slug, displayName, legalName, postalAddress, contactEmail, fromName, fromEmail, sendingDomain, oneClickScope, createdAt, updatedAt)
           VALUES ('bench', 'Bench Brand', 'Bench Brand Ltd', '1 Load Street, Testville', 'help@bench.example.com', 'Bench Brand', 'news@bench.example.com', 'bench.example.com', 'UNIT', ?, ?)`,
        )
        .run(now, now).lastInsertRowid,
    );
    const topicId = Number(db.prepare(`INSERT INTO Topic (unitId, slug, name, description, offersEmail, createdAt) VALUES (?, 'offers', 'Offers', 'Offers.', 1, ?)`).run(unitId, now).lastInsertRowid);
    const campaign = db.prepare(
      `INSERT INTO Campaign (unitId, topicId, name, subject, status, startedAt, finishedAt, maxContactId, lastContactId, sentCount, createdAt, updatedAt) VALUES (?, ?, ?, ?, 'SENT', ?, ?, ?, ?, ?, ?, ?)`,
    );
    const campaignIds = Array.from({ length: CAMPAIGNS }, (_, i) =>
      Number(campaign.run(unitId, topicId, `Week ${i + 1}`, `Week ${i + 1}`, now, now, contacts, contacts, contacts, now, now).lastInsertRowid),
    );
    const contact = db.prepare(`INSERT INTO Contact (id, email, name, locale, createdAt, updatedAt) VALUES (?, ?, ?, 'en', ?, ?)`);
    const subscription = db.prepare(`INSERT INTO Subscription (contactId, topicId, channel, status, basis, consentedAt, updatedAt) VALUES (?, ?, 'EMAIL', 'SUBSCRIBED', 'EXPRESS', ?, ?)`);
    const delivery = db.prepare(`INSERT INTO Delivery (id, campaignId, contactId, status, messageId, attempts, createdAt, sentAt) VALUES (?, ?, ?, 'SENT', ?, 1, ?, ?)`);
    for (let id = 1; id <= contacts; id++) {
      contact.run(id, emailOf(id), `Contact ${id}`, now, now);
      subscription.run(id, topicId, consentedAt, now);
      campaignIds.forEach((campaignId, i) => delivery.run(deliveryIdOf(id, i), campaignId, id, messageIdOf(id, i), now, now));
    }
    return { unitId, topicId, contacts, campaignIds };
  })();
  db.close();
  return fixture;
}

const emailOf = (contactId: number) => `contact.${contactId}@mail.bench.example.org`;
const deliveryIdOf = (contactId: number, campaign: number) => contactId * CAMPAIGNS + campaign;
const messageIdOf = (contactId: number, campaign: number) => `<c${campaign}.${contactId}@bench.example.com>`;

/** The messages, in a fixed shuffled order, and how many contacts they are about. */
async function buildMessages(): Promise<{ messages: BenchMessage[]; contacts: number }> {
  const { returnPathFor, mailtoUnsubscribeFor, feedbackLoopAddress } = await import("../app/domain/feedback/addresses.server.ts");
  const { deliveryStatusNotification, complaintReport, mailtoUnsubscribe } = await import("../tests/helpers/inbound-reports.ts");
  const messages: BenchMessage[] = [];
  let contactId = 0;
  while (messages.length < MESSAGES) {
    contactId++;
    const original = (campaign: number) => {
      const ref = { stream: "campaign", deliveryId: deliveryIdOf(contactId, campaign) } as const;
      return { ref, returnPath: returnPathFor(ref, BOUNCE_DOMAIN), recipient: emailOf(contactId), messageId: messageIdOf(contactId, campaign) };
    };
    const dsn = (campaign: number, status: string) => {
      const o = original(campaign);
      messages.push({ from: "", to: o.returnPath, raw: Buffer.from(deliveryStatusNotification(o, { status })) });
    };
    switch (partOf(contactId)) {
      case "hard":
        dsn(0, "5.1.1");
        break;
      case "soft ×3":
        for (let campaign = 0; campaign < CAMPAIGNS; campaign++) dsn(campaign, campaign === 1 ? "5.2.2" : "4.2.2");
        break;
      case "soft ×1":
        dsn(0, "4.2.2");
        break;
      case "complaint":
        messages.push({ from: "fbl@feedback.mailbox.example", to: feedbackLoopAddress(BOUNCE_DOMAIN), raw: Buffer.from(complaintReport(original(0))) });
        break;
      case "mailto":
        messages.push({ from: emailOf(contactId), to: mailtoUnsubscribeFor(original(0).ref, BOUNCE_DOMAIN), raw: Buffer.from(mailtoUnsubscribe("x", emailOf(contactId))) });
        break;
      case "untouched":
        break;
    }
  }
  // Mixed, as they would arrive; a fixed seed keeps runs comparable.
  let state = 42;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = messages.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [messages[i], messages[j]] = [messages[j], messages[i]];
  }
  return { messages, contacts: contactId };
}

// ---------------------------------------------------------------------------------------------
// The load: CONCURRENCY pooled SMTP connections, as a busy mailbox provider's MTA would open.

async function deliverAll(port: number, messages: BenchMessage[], label: string): Promise<{ seconds: number; perSecond: number; refused: number }> {
  const transport = nodemailer.createTransport({ host: "127.0.0.1", port, pool: true, maxConnections: CONCURRENCY, maxMessages: Infinity, ignoreTLS: true });
  let next = 0;
  let done = 0;
  let refused = 0;
  let firstError = "";
  const started = performance.now();
  let lastPrint = started;
  const lane = async () => {
    while (next < messages.length) {
      const message = messages[next++];
      try {
        await transport.sendMail({ envelope: { from: message.from, to: [message.to] }, raw: message.raw });
      } catch (error) {
        refused++;
        firstError ||= (error as Error).message;
      }
      done++;
      if (performance.now() - lastPrint > 5000) {
        lastPrint = performance.now();
        const seconds = (lastPrint - started) / 1000;
        console.log(`  ${label}: ${int(done)}/${int(messages.length)} (${Math.round((100 * done) / messages.length)}%), ${int(done / seconds)}/s`);
      }
    }
  };
  // Twice as many in flight as connections, so no connection waits for the client.
  await Promise.all(Array.from({ length: CONCURRENCY * 2 }, lane));
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  if (firstError) console.log(`  ${label}: ${refused} refused, the first: ${firstError}`);
  return { seconds, perSecond: messages.length / seconds, refused };
}

// ---------------------------------------------------------------------------------------------

type Expected = { kinds: Record<string, number>; hard: number; soft3: number; optOuts: { COMPLAINT: number; MAILTO: number }; audience: Set<number> };

function expectedEffects(contacts: number): Expected {
  const expected: Expected = { kinds: { HARD_BOUNCE: 0, SOFT_BOUNCE: 0, COMPLAINT: 0, MAILTO_UNSUBSCRIBE: 0 }, hard: 0, soft3: 0, optOuts: { COMPLAINT: 0, MAILTO: 0 }, audience: new Set() };
  for (let id = 1; id <= contacts; id++) {
    const part = partOf(id);
    if (part === "hard") (expected.kinds.HARD_BOUNCE++, expected.hard++);
    if (part === "soft ×3") ((expected.kinds.SOFT_BOUNCE += CAMPAIGNS), expected.soft3++);
    if (part === "soft ×1") expected.kinds.SOFT_BOUNCE++;
    if (part === "complaint") (expected.kinds.COMPLAINT++, expected.optOuts.COMPLAINT++);
    if (part === "mailto") (expected.kinds.MAILTO_UNSUBSCRIBE++, expected.optOuts.MAILTO++);
    if (part === "soft ×1" || part === "untouched") expected.audience.add(id);
  }
  return expected;
}

async function observedEffects(fixture: Fixture) {
  const { db } = await import("../app/utils/db.server.ts");
  const { findAudienceBatch } = await import("../app/domain/consent/audience.server.ts");
  const kinds = Object.fromEntries((await db.inboundMessage.groupBy({ by: ["kind"], _count: { _all: true } })).map((g) => [g.kind, g._count._all]));
  const suppressions = Object.fromEntries((await db.suppression.groupBy({ by: ["reason"], _count: { _all: true } })).map((g) => [g.reason, g._count._all]));
  const unitOptOuts = await db.unitOptOut.count({ where: { unitId: fixture.unitId, channel: "EMAIL" } });
  const optOutEvents = Object.fromEntries(
    (await db.consentEvent.groupBy({ by: ["source"], where: { action: "UNIT_OPT_OUT" }, _count: { _all: true } })).map((g) => [g.source, g._count._all]),
  );
  const unnamed = await db.inboundMessage.count({ where: { OR: [{ contactId: null }, { campaignId: null }] } });
  // The next campaign's first batch: the audience query the sender runs, over every contact.
  const audience = await findAudienceBatch(db, { unitId: fixture.unitId, topicId: fixture.topicId, channel: "EMAIL" }, new Date(), { take: fixture.contacts + 1 });
  await db.$disconnect();
  return { kinds, suppressions, unitOptOuts, optOutEvents, unnamed, audience: new Set(audience.map((member) => member.id)) };
}

async function main(): Promise<boolean> {
  if (!(Number.isSafeInteger(MESSAGES) && MESSAGES >= 100)) throw new Error(`BENCH_MESSAGES must be a whole number ≥ 100 (got "${process.env.BENCH_MESSAGES}").`);
  const tmp = tempDir("inbound-bench-");
  const databaseFile = path.join(tmp, "app.db");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: `file:${databaseFile}`,
    SESSION_SECRET: crypto.randomBytes(32).toString("hex"),
    ADDRESS_HASH_KEY: crypto.randomBytes(32).toString("hex"),
    INBOUND_SMTP_HOST: "127.0.0.1",
  };
  // This process signs the addresses and reads the results with the same settings as the server.
  Object.assign(process.env, { DATABASE_URL: env.DATABASE_URL, SESSION_SECRET: env.SESSION_SECRET, ADDRESS_HASH_KEY: env.ADDRESS_HASH_KEY });
  await step("Migrating a fresh SQLite database", () => migrate(databaseFile));
  const { messages, contacts } = await step(`Building ${int(MESSAGES)} reports to our signed addresses`, buildMessages);
  const fixture = await step(`Seeding ${int(contacts)} contacts, each with ${CAMPAIGNS} delivered campaign messages`, () => seed(databaseFile, contacts));

  // The ceiling first, alone on the machine.
  const ceilingPort = await freePort();
  const ceilingProcess = await startProcess("ceiling", tsx("bench/inbound.ts", "--ceiling", String(ceilingPort)), env, path.join(tmp, "ceiling.log"), "ceiling ready");
  const ceiling = { ...(await deliverAll(ceilingPort, messages, "ceiling")), stats: ceilingProcess.processStats() };
  await ceilingProcess.stop();

  const inboundPort = await freePort();
  const profileFlags = PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  // Exactly what `npm run inbound` runs (tsx, its flags, the script), without npm in between.
  const [, ...inboundArgs] = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.inbound.split(/\s+/);
  const inbound: ChildProcess = await startProcess(
    "inbound",
    tsx(...profileFlags, ...inboundArgs),
    { ...env, INBOUND_SMTP_PORT: String(inboundPort) },
    path.join(tmp, "inbound.log"),
    "Inbound SMTP server listening",
  );
  const watch = setInterval(() => inbound.processStats(), 200);
  let app;
  try {
    app = await deliverAll(inboundPort, messages, "inbound");
  } finally {
    clearInterval(watch);
  }
  const crash = inbound.crash();
  if (crash) throw new Error(`The inbound server died: ${crash}`);
  const appStats = inbound.processStats();
  await inbound.stop();
  await sleep(0);

  const expected = expectedEffects(contacts);
  const observed = await step("Reading what changed", () => observedEffects(fixture));
  return report({ messages: messages.length, contacts, ceiling, app, appStats, expected, observed });
}

function report(r: {
  messages: number;
  contacts: number;
  ceiling: { perSecond: number; seconds: number; refused: number; stats: ReturnType<ChildProcess["processStats"]> };
  app: { perSecond: number; seconds: number; refused: number };
  appStats: ReturnType<ChildProcess["processStats"]>;
  expected: Expected;
  observed: Awaited<ReturnType<typeof observedEffects>>;
}): boolean {
  const { ceiling, app, expected, observed } = r;
  const ratio = app.perSecond / ceiling.perSecond;
  const line = (label: string, a: string, c: string) => console.log(`${label.padEnd(30)}${a.padStart(22)}${c.padStart(24)}`);
  console.log(`\n${int(r.messages)} reports about ${int(r.contacts)} contacts over SMTP on loopback, ${CONCURRENCY} connections`);
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs (the client in this process, each server in its own)\n`);
  line("", "app (npm run inbound)", "ceiling (smtp-server)");
  line("messages/s", int(app.perSecond), int(ceiling.perSecond));
  line("seconds", app.seconds.toFixed(1), ceiling.seconds.toFixed(1));
  line("refused", String(app.refused), String(ceiling.refused));
  line("server peak RSS", r.appStats ? `${int(r.appStats.peakRssMb)} MB` : "n/a", ceiling.stats ? `${int(ceiling.stats.peakRssMb)} MB` : "n/a");
  const cpuPerMessage = (stats: typeof r.appStats) => (stats ? `${((stats.cpuSeconds * 1000) / r.messages).toFixed(3)} ms` : "n/a");
  line("server CPU per message", cpuPerMessage(r.appStats), cpuPerMessage(ceiling.stats));
  console.log(`\nratio app / ceiling (messages/s): ${ratio.toFixed(3)}`);

  const same = (a: Record<string, number>, b: Record<string, number>) => Object.keys({ ...a, ...b }).every((k) => (a[k] ?? 0) === (b[k] ?? 0));
  const show = (counts: Record<string, number>) => JSON.stringify(counts);
  const missingFromAudience = [...expected.audience].filter((id) => !observed.audience.has(id)).length;
  const wronglyInAudience = [...observed.audience].filter((id) => !expected.audience.has(id)).length;
  const checks: { pass: boolean; text: string }[] = [
    { pass: app.refused === 0 && ceiling.refused === 0, text: `every message accepted (app refused ${app.refused}, ceiling ${ceiling.refused})` },
    { pass: same(observed.kinds, expected.kinds), text: `stored messages by kind ${show(observed.kinds)} (expected ${show(expected.kinds)})` },
    { pass: observed.unnamed === 0, text: `each stored message names its contact and campaign (${observed.unnamed} do not)` },
    {
      pass: same(observed.suppressions, { HARD_BOUNCE: expected.hard, SOFT_BOUNCE: expected.soft3 }),
      text: `suppressions ${show(observed.suppressions)} (expected HARD_BOUNCE ${expected.hard}, SOFT_BOUNCE ${expected.soft3}: only the third soft bounce suppresses)`,
    },
    {
      pass: observed.unitOptOuts === expected.optOuts.COMPLAINT + expected.optOuts.MAILTO && same(observed.optOutEvents, expected.optOuts),
      text: `unit opt-outs ${int(observed.unitOptOuts)}, ledger events by source ${show(observed.optOutEvents)} (expected ${show(expected.optOuts)})`,
    },
    {
      pass: missingFromAudience === 0 && wronglyInAudience === 0,
      text: `the next campaign's audience is exactly the ${int(expected.audience.size)} untouched or once-soft-bounced contacts (${wronglyInAudience} who should be left out, ${missingFromAudience} missing)`,
    },
    { pass: ratio >= GOALS.ratio, text: `goal: ratio ≥ ${GOALS.ratio} (${ratio.toFixed(3)})` },
    { pass: (r.appStats?.peakRssMb ?? Infinity) < GOALS.peakRssMb, text: `goal: inbound server peak RSS < ${GOALS.peakRssMb} MB (${r.appStats ? int(r.appStats.peakRssMb) : "n/a"} MB)` },
  ];
  console.log("");
  for (const check of checks) console.log(`${check.pass ? "PASS" : "FAIL"}  ${check.text}`);
  return checks.every((check) => check.pass);
}

if (process.argv[2] === "--ceiling") {
  await runCeiling(Number(process.argv[3]));
} else {
  giveUpAfter(30 * 60_000);
  await runBenchmark(main);
}
