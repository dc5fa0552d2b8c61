// `npm run bench:one-click`: RFC 8058 one-click POSTs against the production build, and the
// same load against a bare node:http + SQLite ceiling (bench/ceiling-server.ts), in one run.
// Prints requests/s, p50 and p99 for both and their ratio, and checks that every 200 answer left
// exactly one opt-out (and one ledger event) in the app's database.
//
// Environment: BENCH_DATABASE=postgres (the app, and the ceiling, on a throwaway PostgreSQL
// database: BENCH_DATABASE_URL names the server), ONE_CLICK_WRITER (passed to the app: thread or
// main), BENCH_SECONDS (load per server, default 20), BENCH_STRICT=1 (the speed goals fail
// the run too), BENCH_PROFILE_DIR (the app server writes a --cpu-prof profile there).
// Exit status: 0 checks passed, 1 a check failed, 2 the benchmark itself could not run.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import Database from "better-sqlite3";
import autocannon, { type RequestContext } from "autocannon";
import { signLinkToken } from "../app/domain/tokens/link-tokens.server.ts";
import {
  freePort, giveUpAfter, int, machineCpuSeconds, migrate, ms, percentile, prismaDate, ROOT, runBenchmark, sleep, startProcess, step, tempDir, tsx,
  type ChildProcess,
} from "./harness.ts";
import { benchDatabaseKind, copySqliteIntoPostgresql, createBenchPostgresql } from "./postgresql.ts";
import pg from "pg";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
// JIT, Remix module and prepared-statement warm-up, so the figures describe the steady state.
const WARMUP_SECONDS = 2;
const CONNECTIONS = 64;
const CONTACTS = 50_000;
// One-click opts out of one unit on one channel: contact × channel × unit gives 300k distinct
// opt-outs, more than the app answers in its warm-ups and 20 s.
const CHANNELS = ["EMAIL", "POSTAL", "PHONE"] as const;
const UNITS = 2;
const MAX_TOKENS = CONTACTS * CHANNELS.length * UNITS;
// Tokens are signed between load phases, never during one (that would steal CPU from the server):
// enough for the warm-ups first, then as many as the app's warm-up pace says its measured phase needs.
const WARMUP_TOKENS = 20_000;
const GOALS = { ratio: 0.5, p99Ms: 50 };
const ONE_CLICK_BODY = "List-Unsubscribe=One-Click";
// Both servers say this in a 200 answer; a 200 without it is not a confirmed opt-out.
const CONFIRMATION = "You are unsubscribed";
const STRICT = process.env.BENCH_STRICT === "1";
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR ? path.resolve(process.env.BENCH_PROFILE_DIR) : null;

// Setup (build, migrate, sign) takes well under two minutes; anything longer is a hang.
giveUpAfter((2 * (SECONDS + WARMUP_SECONDS) + 240) * 1000);

// ---------------------------------------------------------------------------------------------
// Setup: production build, a fresh migrated database, 50k contacts, pre-signed tokens.

function newestMtime(entry: string): number {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((newest, name) => Math.max(newest, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

function buildIsCurrent(): boolean {
  const build = path.join(ROOT, "build/index.js");
  if (!fs.existsSync(build)) return false;
  const sources = ["app", "emails", "remix.config.js", "prisma/schema.prisma"].map((entry) => path.join(ROOT, entry));
  return fs.statSync(build).mtimeMs >= Math.max(...sources.map(newestMtime));
}

type BenchUnit = { unitId: number; topicId: number; campaignId: number };
type Fixture = { units: BenchUnit[]; kid: string; secret: string };

/** Bench setup, not app code: straight SQL in one transaction (the consent core would take minutes). */
function seed(databaseFile: string): Fixture {
  const db = new Database(databaseFile);
  db.pragma("journal_mode = WAL");
  const now = prismaDate(new Date());
  const kid = crypto.randomBytes(6).toString("base64url");
  const secret = crypto.randomBytes(32).toString("base64url");
  const fixture = db.transaction((): Fixture => {
    const units = Array.from({ length: UNITS }, (_, n): BenchUnit => {
      const unitId = Number(
        db
          .prepare(
            `INSERT INTO BusinessUnit (slug, displayName, legalName, postalAddress, contactEmail, contactUrl, fromName, fromEmail, sendingDomain, oneClickScope, createdAt, updatedAt)
             VALUES (?, 'Bench Brand', 'Bench Brand Ltd', '1 Load Street, Testville, BE1 0NC', 'help@bench.example.com', 'https://bench.example.com', 'Bench Brand', 'news@bench.example.com', 'bench.example.com', 'UNIT', ?, ?)`,
          )
          .run(`bench-${n + 1}`, now, now).lastInsertRowid,
      );
      const topicId = Number(
        db
          .prepare(
            `INSERT INTO Topic (unitId, slug, name, description, offersEmail, offersPostal, offersPhone, createdAt)
             VALUES (?, 'offers', 'Offers', 'Discounts and new products.', 1, 1, 1, ?)`,
          )
          .run(unitId, now).lastInsertRowid,
      );
      // The page rendered after a one-click lists the unit's service messages: give it some.
      const category = db.prepare(`INSERT INTO ExemptCategory (unitId, slug, name, reason, legalClass, createdAt) VALUES (?, ?, ?, ?, ?, ?)`);
      category.run(unitId, "renewal", "Renewal notices", "You need to know before a subscription you hold renews or ends.", "TRANSACTION", now);
      category.run(unitId, "security-alert", "Security alerts", "We warn you about sign-ins and changes to your account.", "WARRANTY_SAFETY_SECURITY", now);
      category.run(unitId, "support-reply", "Replies to your requests", "When you contact us, we answer by email.", "DELIVERY_OF_GOODS_OR_SERVICES", now);
      const campaignId = Number(
        db
          .prepare(`INSERT INTO Campaign (unitId, topicId, name, subject, status, createdAt, updatedAt) VALUES (?, ?, 'Bench send', 'Our offers', 'SENT', ?, ?)`)
          .run(unitId, topicId, now, now).lastInsertRowid,
      );
      return { unitId, topicId, campaignId };
    });
    db.prepare(`INSERT INTO SigningKey (kid, secret, createdAt) VALUES (?, ?, ?)`).run(kid, secret, now);
    const contact = db.prepare(`INSERT INTO Contact (id, email, name, locale, createdAt, updatedAt) VALUES (?, ?, ?, 'en', ?, ?)`);
    const subscription = db.prepare(
      `INSERT INTO Subscription (contactId, topicId, channel, status, basis, consentedAt, updatedAt) VALUES (?, ?, ?, 'SUBSCRIBED', 'EXPRESS', ?, ?)`,
    );
    for (let id = 1; id <= CONTACTS; id++) {
      contact.run(id, `contact.${id}@bench.example.com`, `Contact ${id}`, now, now);
      for (const { topicId } of units) for (const channel of CHANNELS) subscription.run(id, topicId, channel, now, now);
    }
    return { units, kid, secret };
  })();
  db.close();
  return fixture;
}

/**
 * Token i opts contact (i mod CONTACTS) + 1 out of unit ⌊b / channels⌋ on channel b mod channels,
 * where b = ⌊i / CONTACTS⌋: every token is a distinct opt-out. tokenIndex() is the way back.
 */
function tokenTarget(index: number) {
  const block = Math.floor(index / CONTACTS);
  return { contactId: (index % CONTACTS) + 1, channel: CHANNELS[block % CHANNELS.length], unitIndex: Math.floor(block / CHANNELS.length) };
}

function tokenIndex(contactId: number, channelIndex: number, unitIndex: number): number {
  return (unitIndex * CHANNELS.length + channelIndex) * CONTACTS + (contactId - 1);
}

/** Signs link tokens with the app's own code; `paths` grows as more are asked for. */
async function tokenSigner(fixture: Fixture) {
  // Imported here, not at the top: the module creates the app's db client from DATABASE_URL on load.
  const { importLinkKey, keyringOf } = await import("../app/domain/tokens/keyring.server.ts");
  const keyring = keyringOf(importLinkKey(fixture.kid, fixture.secret));
  const paths: string[] = [];
  const signUpTo = (wanted: number) => {
    const count = Math.min(wanted, MAX_TOKENS);
    while (paths.length < count) {
      const { contactId, channel, unitIndex } = tokenTarget(paths.length);
      const { unitId, topicId, campaignId } = fixture.units[unitIndex];
      paths.push(`/u/${signLinkToken(keyring, { purpose: "unsubscribe", contactId, channel, unitId, topicId, campaignId })}`);
    }
  };
  return { paths, signUpTo };
}

// ---------------------------------------------------------------------------------------------
// Servers as child processes, each in its own process group so stopping one stops tsx's child too.

type Server = ChildProcess & { url: string };

async function startServer(name: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, port: number): Promise<Server> {
  const server = await startProcess(name, tsx(...args), env, logFile, "listening on");
  return { ...server, url: `http://127.0.0.1:${port}` };
}

// ---------------------------------------------------------------------------------------------
// Load: autocannon, one distinct path per request, every answer recorded.

const TokenState = { unsent: 0, sent: 1, confirmed: 2, refused: 3 } as const;

/** Hands out request paths; for the app it remembers what became of every token. */
type PathFeed = { next: (context: RequestContext) => string; answered: (status: number, body: string, context: RequestContext) => void };

function appFeed(paths: string[], state: Uint8Array, onExhausted: () => void): PathFeed {
  let cursor = 0;
  return {
    next(context) {
      if (cursor >= paths.length) {
        onExhausted();
        return "/u/-"; // A malformed link: answered 400 without touching the database.
      }
      context.token = cursor;
      state[cursor] = TokenState.sent;
      return paths[cursor++];
    },
    answered(status, body, context) {
      if (typeof context.token !== "number") return;
      // With pipelining 1 each connection has one request in flight, so its context names the token.
      state[context.token] = status === 200 && body.includes(CONFIRMATION) ? TokenState.confirmed : TokenState.refused;
    },
  };
}

function ceilingFeed(paths: string[]): PathFeed {
  let cursor = 0;
  // The ceiling checks no token: reusing them keeps the request bytes identical.
  return { next: () => paths[cursor++ % paths.length], answered: () => {} };
}

type LoadResult = {
  seconds: number;
  confirmed: number;
  statuses: Map<string, number>;
  errors: number;
  timeouts: number;
  latencies: Float64Array;
  /** Percent of one core: the server, this process (autocannon), everything else on the machine. */
  cpu: { server: number; client: number; other: number; serverMsPerAnswer: number } | null;
  peakRssMb: number | null;
};

async function fireLoad(server: Server, feed: PathFeed, seconds: number, label: string, stopEarly?: { stop: () => void }): Promise<LoadResult> {
  const statuses = new Map<string, number>();
  const latencies: number[] = [];
  let confirmed = 0;
  const before = { server: server.processStats()?.cpuSeconds, client: process.cpuUsage(), machine: machineCpuSeconds() };
  const wallBefore = performance.now();
  const instance = autocannon({
    url: server.url,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: ONE_CLICK_BODY,
    requests: [
      {
        setupRequest: (request, context) => ({ ...request, path: feed.next(context) }),
        onResponse: (status, body, context) => {
          const ok = status === 200 && body.includes(CONFIRMATION);
          if (ok) confirmed++;
          const key = ok ? "200" : status === 200 ? "200 without confirmation" : String(status);
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          feed.answered(status, body, context);
        },
      },
    ],
  });
  if (stopEarly) stopEarly.stop = () => instance.stop();
  instance.on("response", (_client, _status, _bytes, responseTimeMs) => latencies.push(responseTimeMs));
  let elapsed = 0;
  instance.on("tick", () => {
    elapsed++;
    if (process.stdout.isTTY) process.stdout.write(`\r  ${label}: ${elapsed}/${seconds} s, ${int(latencies.length)} answers`);
    else if (elapsed % 5 === 0 || elapsed === seconds) console.log(`  ${label}: ${elapsed}/${seconds} s, ${int(latencies.length)} answers`);
  });
  const result = await instance;
  if (process.stdout.isTTY) process.stdout.write("\n");
  const stats = server.processStats();
  const wallSeconds = (performance.now() - wallBefore) / 1000;
  const machine = machineCpuSeconds();
  let cpu: LoadResult["cpu"] = null;
  if (stats && before.server !== undefined && machine !== null && before.machine !== null) {
    const percent = (cpuSeconds: number) => (100 * cpuSeconds) / wallSeconds;
    const { user, system } = process.cpuUsage(before.client);
    const serverSeconds = stats.cpuSeconds - before.server;
    const clientSeconds = (user + system) / 1e6;
    cpu = {
      server: percent(serverSeconds),
      client: percent(clientSeconds),
      other: percent(Math.max(0, machine - before.machine - serverSeconds - clientSeconds)),
      // Cost per request, much less sensitive than requests/s to whatever else the machine runs.
      serverMsPerAnswer: (1000 * serverSeconds) / Math.max(1, latencies.length),
    };
  }
  return {
    seconds: result.duration,
    confirmed,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    latencies: Float64Array.from(latencies).sort(),
    cpu,
    peakRssMb: stats?.peakRssMb ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// The check: every confirmed 200 has its opt-out and ledger event, and nothing else was written.

type Verdict = {
  confirmed: number;
  optOuts: number;
  forConfirmed: number;
  cutOff: number;
  unexplained: number;
  events: { changed: number; unchanged: number };
};

/** The opt-outs and ONE_CLICK ledger events of the bench units, from SQLite or PostgreSQL. */
async function readOutcome(database: string, unitIds: number[]) {
  const optOuts = `SELECT "contactId", "channel", "unitId" FROM "UnitOptOut" WHERE "unitId" IN (${unitIds.join(", ")})`;
  const ledger = `SELECT "changed", COUNT(*) AS n FROM "ConsentEvent" WHERE "source" = 'ONE_CLICK' AND "unitId" IN (${unitIds.join(", ")}) GROUP BY "changed"`;
  type Rows = { rows: { contactId: number; channel: string; unitId: number }[]; events: { changed: number; n: number }[] };
  if (database.startsWith("postgresql:")) {
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    try {
      const rows = (await client.query(optOuts)).rows;
      const events = (await client.query(ledger)).rows.map((e) => ({ changed: e.changed ? 1 : 0, n: Number(e.n) }));
      return { rows, events } as Rows;
    } finally {
      await client.end();
    }
  }
  const db = new Database(database);
  const result = { rows: db.prepare(optOuts).all(), events: db.prepare(ledger).all() } as Rows;
  db.close();
  return result;
}

async function verify(database: string, units: BenchUnit[], state: Uint8Array): Promise<Verdict> {
  const unitIds = units.map((u) => u.unitId);
  const { rows, events } = await readOutcome(database, unitIds);
  let forConfirmed = 0;
  let cutOff = 0;
  let unexplained = 0;
  for (const row of rows) {
    const token = tokenIndex(row.contactId, CHANNELS.indexOf(row.channel as (typeof CHANNELS)[number]), unitIds.indexOf(row.unitId));
    const tokenState = token >= 0 && token < state.length ? state[token] : TokenState.unsent;
    if (tokenState === TokenState.confirmed) forConfirmed++;
    // Sent, never answered: in flight when a load phase stopped (autocannon drops those sockets).
    else if (tokenState === TokenState.sent) cutOff++;
    else unexplained++;
  }
  return {
    confirmed: state.reduce((n, s) => n + (s === TokenState.confirmed ? 1 : 0), 0),
    optOuts: rows.length,
    forConfirmed,
    cutOff,
    unexplained,
    events: {
      changed: events.find((e) => e.changed === 1)?.n ?? 0,
      unchanged: events.find((e) => e.changed === 0)?.n ?? 0,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Report.

function report(app: LoadResult, ceiling: LoadResult, verdict: Verdict, tokensExhausted: number | null, appCrash: string | null): boolean {
  const reqPerSecond = (r: LoadResult) => r.confirmed / r.seconds;
  const others = (r: LoadResult) =>
    [...r.statuses].filter(([status]) => status !== "200").map(([status, n]) => `${int(n)}×${status}`).join(", ") || "0";
  const row = (label: string, a: string, c: string) => console.log(`${label.padEnd(30)}${a.padStart(16)}${c.padStart(22)}`);
  const ratio = reqPerSecond(app) / reqPerSecond(ceiling);
  const appP99 = percentile(app.latencies, 0.99);

  console.log(`\nOne-click POST, ${CONNECTIONS} connections, ${SECONDS} s per server after a ${WARMUP_SECONDS} s warm-up, ${int(CONTACTS)} contacts, on ${benchDatabaseKind() === "postgres" ? "PostgreSQL" : "SQLite"}` + (process.env.ONE_CLICK_WRITER ? ` (ONE_CLICK_WRITER=${process.env.ONE_CLICK_WRITER})` : ""));
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs (load generator on the same machine)\n`);
  row("", "app (Express + Remix)", "ceiling (node:http)");
  row("requests/s (confirmed 200)", int(reqPerSecond(app)), int(reqPerSecond(ceiling)));
  row("latency p50 (ms)", ms(percentile(app.latencies, 0.5)), ms(percentile(ceiling.latencies, 0.5)));
  row("latency p99 (ms)", ms(appP99), ms(percentile(ceiling.latencies, 0.99)));
  row("latency max (ms)", ms(percentile(app.latencies, 1)), ms(percentile(ceiling.latencies, 1)));
  row("confirmed 200 answers", int(app.confirmed), int(ceiling.confirmed));
  row("other answers", others(app), others(ceiling));
  row("errors / timeouts", `${app.errors} / ${app.timeouts}`, `${ceiling.errors} / ${ceiling.timeouts}`);
  const cpu = (r: LoadResult, who: "server" | "client" | "other") => (r.cpu ? `${Math.round(r.cpu[who])}%` : "n/a");
  row("CPU, % of one core: server", cpu(app, "server"), cpu(ceiling, "server"));
  row("  load generator (autocannon)", cpu(app, "client"), cpu(ceiling, "client"));
  row("  other processes", cpu(app, "other"), cpu(ceiling, "other"));
  row("server CPU per answer (ms)", app.cpu ? app.cpu.serverMsPerAnswer.toFixed(3) : "n/a", ceiling.cpu ? ceiling.cpu.serverMsPerAnswer.toFixed(3) : "n/a");
  row("server peak RSS", app.peakRssMb === null ? "n/a" : `${int(app.peakRssMb)} MB`, ceiling.peakRssMb === null ? "n/a" : `${int(ceiling.peakRssMb)} MB`);
  row("measured for (s)", app.seconds.toFixed(2), ceiling.seconds.toFixed(2));
  console.log(`\nratio app / ceiling (requests/s): ${ratio.toFixed(3)}`);
  if (app.cpu && ceiling.cpu) {
    // What the ratio would be if both servers were CPU-bound alone on a core: steadier on a busy machine.
    console.log(`ratio of server CPU per answer (ceiling / app): ${(ceiling.cpu.serverMsPerAnswer / app.cpu.serverMsPerAnswer).toFixed(3)}`);
  }
  if (tokensExhausted !== null) {
    const why = tokensExhausted === MAX_TOKENS ? "every contact × channel × unit" : "more than the warm-up pace predicted: run again";
    console.log(`\n⚠ The app used all ${int(tokensExhausted)} signed tokens (${why}) and its load stopped early.`);
  }
  // Two cores: load generator and server already share them, so a third party skews the figures.
  if (Math.max(app.cpu?.other ?? 0, ceiling.cpu?.other ?? 0) > 25) console.log("\n⚠ Other processes used the CPU during the run: the figures are less reliable than usual.");

  const nothingLost = verdict.forConfirmed === verdict.confirmed && verdict.unexplained === 0;
  const ledgerMatches = verdict.events.changed === verdict.optOuts && verdict.events.unchanged === 0;
  if (appCrash) console.log(`\nThe app server died during the load (${appCrash.split("\n")[0]}). Its last log lines:\n${appCrash.split("\n").slice(1).join("\n")}`);
  const checks: { pass: boolean; counts: boolean; text: string }[] = [
    { pass: appCrash === null, counts: true, text: "the app server stayed up through the load" },
    {
      pass: nothingLost,
      counts: true,
      text:
        `opt-outs in the database for answered requests = confirmed 200 answers (warm-up included): ` +
        `${int(verdict.forConfirmed)} = ${int(verdict.confirmed)}` +
        (verdict.cutOff ? `; plus ${verdict.cutOff} written for requests cut off unanswered when a load phase stopped` : "") +
        (verdict.unexplained ? `; ${verdict.unexplained} opt-outs for requests refused or never sent` : ""),
    },
    {
      pass: ledgerMatches,
      counts: true,
      text: `ledger: ${int(verdict.events.changed)} ONE_CLICK events with changed = true for ${int(verdict.optOuts)} opt-outs, ${verdict.events.unchanged} with changed = false (no request repeats a token)`,
    },
    { pass: ratio >= GOALS.ratio, counts: STRICT, text: `goal: ratio ≥ ${GOALS.ratio} (${ratio.toFixed(3)})` },
    { pass: appP99 < GOALS.p99Ms, counts: STRICT, text: `goal: app p99 < ${GOALS.p99Ms} ms (${ms(appP99)} ms)` },
    { pass: app.errors + app.timeouts === 0, counts: STRICT, text: `goal: no errors or timeouts from the app (${app.errors + app.timeouts})` },
  ];
  console.log("");
  for (const check of checks) console.log(`${check.pass ? "PASS" : "FAIL"}${check.counts ? "  " : " (reported only)"}  ${check.text}`);
  if (!STRICT) console.log("\nOnly a lost or unexplained opt-out fails the run; BENCH_STRICT=1 makes the speed goals count too.");
  return checks.every((check) => check.pass || !check.counts);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<boolean> {
  if (!(Number.isFinite(SECONDS) && SECONDS >= 1)) throw new Error(`BENCH_SECONDS must be a number of seconds ≥ 1 (got "${process.env.BENCH_SECONDS}").`);
  const tmp = tempDir("one-click-bench-");
  const appDatabase = path.join(tmp, "app.db");
  const kind = benchDatabaseKind();
  // The keyring module creates the app's db client on import: point it at the bench database.
  process.env.DATABASE_URL = `file:${appDatabase}`;
  // PostgreSQL takes no secrets from a file beside the database: the app and this process share these.
  process.env.SESSION_SECRET ??= crypto.randomBytes(32).toString("base64url");
  process.env.ADDRESS_HASH_KEY ??= crypto.randomBytes(32).toString("base64url");

  if (!buildIsCurrent()) {
    console.log("▶ The production build is missing or older than the sources: npm run build");
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit", timeout: 300_000 });
  }
  await step("Migrating a fresh SQLite database", () => migrate(appDatabase));
  const fixture = await step(`Seeding ${int(CONTACTS)} contacts, ${UNITS} units, a topic each on ${CHANNELS.length} channels`, () => seed(appDatabase));
  // On PostgreSQL the same seed is copied into a migrated throwaway database.
  const databaseUrl = kind === "postgres" ? await step("Copying the seed into a new PostgreSQL database", async () => {
    const url = await createBenchPostgresql("one_click");
    await copySqliteIntoPostgresql(appDatabase, url);
    return url;
  }) : `file:${appDatabase}`;
  process.env.DATABASE_URL = databaseUrl;
  const ceilingDatabase = kind === "postgres" ? await createBenchPostgresql("one_click_ceiling", { migrated: false }) : path.join(tmp, "ceiling.db");
  const signer = await tokenSigner(fixture);
  const { paths } = signer;
  await step(`Signing ${int(WARMUP_TOKENS)} distinct link tokens`, () => signer.signUpTo(WARMUP_TOKENS));

  // The ceiling first, then the app: each alone on the machine while it is measured.
  const ceilingPort = await freePort();
  const ceiling = await step("Starting the ceiling server", () =>
    startServer("ceiling", ["bench/ceiling-server.ts", ceilingDatabase, String(ceilingPort)], { ...process.env, NODE_ENV: "production" }, path.join(tmp, "ceiling.log"), ceilingPort),
  );
  await fireLoad(ceiling, ceilingFeed(paths), WARMUP_SECONDS, "ceiling warm-up");
  const ceilingResult = await fireLoad(ceiling, ceilingFeed(paths), SECONDS, "ceiling");
  if (ceiling.crash()) throw new Error(`The ceiling server died during the load (${ceiling.crash()})`);
  await ceiling.stop();

  const port = await freePort();
  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    SKIP_DEMO_SEED: "1",
    MAIL_TRANSPORT: "outbox",
    OUTBOX_DIR: path.join(tmp, "outbox"),
  };
  // tsx hands node flags to the node process it starts (NODE_OPTIONS may not carry --cpu-prof).
  const profileFlags = PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const app = await step("Starting the app (tsx scripts/start.ts, production build)", () =>
    startServer("app", [...profileFlags, "scripts/start.ts"], appEnv, path.join(tmp, "app.log"), port),
  );
  const state = new Uint8Array(MAX_TOKENS);
  let tokensExhausted: number | null = null;
  const stopEarly = { stop: () => {} };
  const feed = appFeed(paths, state, () => {
    if (tokensExhausted === null) stopEarly.stop();
    tokensExhausted = paths.length;
  });
  const warmUp = await fireLoad(app, feed, WARMUP_SECONDS, "app warm-up", stopEarly);
  const pace = warmUp.confirmed / warmUp.seconds;
  const handedOut = state.filter((s) => s !== TokenState.unsent).length;
  // Twice the warm-up pace (the JIT is still warming then) plus a margin, capped by the contacts.
  const wanted = Math.min(MAX_TOKENS, handedOut + Math.ceil(2 * pace * SECONDS) + 10_000);
  if (wanted > paths.length) await step(`Signing up to ${int(wanted)} tokens for the app's ${SECONDS} s (warm-up pace ${int(pace)}/s)`, () => signer.signUpTo(wanted));
  tokensExhausted = null; // Only running out during the measured phase matters.
  const appResult = await fireLoad(app, feed, SECONDS, "app", stopEarly);
  // Let requests cut off at the stop finish on the server before it shuts down and we count.
  await sleep(1000);
  await app.stop();
  if (PROFILE_DIR) console.log(`CPU profiles of the app server in ${PROFILE_DIR} (the largest is the main thread): npx tsx bench/profile-summary.ts <file> --from=<s>`);

  const verdict = await verify(databaseUrl.replace(/^file:/, ""), fixture.units, state);
  return report(appResult, ceilingResult, verdict, tokensExhausted, app.crash());
}

await runBenchmark(main);
