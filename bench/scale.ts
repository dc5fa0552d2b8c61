// `npm run bench:scale`: the production server on a database of BENCH_CONTACTS contacts
// (default 1,000,000) and 5 × as many ledger events (bench/scale-seed.ts builds it once and
// caches it), with `npm run worker` sending a campaign to a local SMTP sink. It talks to the
// product only over HTTP, through the CLI and through the seeded SQLite file, so it measures
// old and new code alike. It times, p50 and p95 over repeated requests (each bounded by a count
// and a time budget, so slow code still finishes): the composer's audience count, the campaign
// start, the campaign page, its poll, pause and resume while sending, the ledger page with each
// filter and its next page, the ledger exports (CLI and web CSV), the RFC 8058 one-click,
// /preferences and a few staff pages; then the one-click and /preferences while each heavy
// staff request runs in a loop beside them. Prints a table against the issue's goals.
//
// Environment: BENCH_CONTACTS (default 1000000), BENCH_OP_SECONDS (time budget per operation,
// default 20), BENCH_STALL_SECONDS (window of each "while" test, default 15), BENCH_EXPORT_SECONDS
// (how long an export is read, default 30), BENCH_DATABASE=postgres (the same seed, copied once
// into a cached PostgreSQL database and used as a template per run; BENCH_DATABASE_URL names the server).
// Exit status: 0 every goal met, 1 a goal missed, 2 the benchmark itself could not run.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { execFileSync, spawn } from "node:child_process";
import type net from "node:net";
import Database from "better-sqlite3";
import { SMTPServer } from "smtp-server";
import { signLinkToken } from "../app/domain/tokens/link-tokens.server.ts";
import type { Keyring } from "../app/domain/tokens/keyring.server.ts";
import { DEMO_LOGINS } from "../prisma/demo-data.ts";
import { scaleDatabase } from "./scale-seed.ts";
import { benchDatabaseKind, cachedPostgresqlCopy, createBenchPostgresql, databaseBytes, readOne } from "./postgresql.ts";
import { freePort, giveUpAfter, int, ms, onCleanUp, percentile, ROOT, runBenchmark, sleep, startProcess, step, tempDir, tsx, type ChildProcess } from "./harness.ts";

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const OP_SECONDS = Number(process.env.BENCH_OP_SECONDS ?? 20);
const OP_REQUESTS = 20;
const STALL_SECONDS = Number(process.env.BENCH_STALL_SECONDS ?? 15);
const EXPORT_SECONDS = Number(process.env.BENCH_EXPORT_SECONDS ?? 30);
// The issue's goals on 2 cores at 1M contacts / 5M ledger events.
const GOALS = { audienceMs: 500, campaignMs: 150, ledgerMs: 150, exportRowsPerSecond: 20_000, exportRssGrowth: 1.25, oneClickP95Ms: 20, preferencesP95Ms: 100 };
const ONE_CLICK_BODY = "List-Unsubscribe=One-Click";
// A request not answered in this long counts as failed, so a stalled server still ends the run.
const REQUEST_TIMEOUT_MS = 120_000;
// A realistic relay pace: the campaign keeps sending for the whole campaign part of the run.
const SEND_RATE_PER_SECOND = 100;

giveUpAfter(45 * 60_000);

// ---------------------------------------------------------------------------------------------
// Results: one table row per operation.

type Goal = { on: "p50" | "p95"; limitMs: number } | null;
type Row = {
  section: string;
  operation: string;
  n: number;
  p50: number;
  p95: number;
  /** Instead of latencies (exports): what to print in the p50/p95 columns. */
  figure?: string;
  goal: string;
  pass: boolean | null;
  note?: string;
  /** The server's own time for these requests (its access log), p50: the rest was waiting. */
  serverP50?: number;
};
const rows: Row[] = [];
/** Request URLs per row, to find the server's own timings in its access log afterwards. */
const rowUrls = new Map<Row, Sample>();

function latencyRow(section: string, operation: string, samples: Sample, goal: Goal, note?: string): Row {
  const sorted = Float64Array.from(samples.ms).sort();
  const p50 = percentile(sorted, 0.5);
  const p95 = percentile(sorted, 0.95);
  const value = goal?.on === "p95" ? p95 : p50;
  const errors = samples.errors.length ? `${samples.errors.length} failed: ${samples.errors[0]}` : undefined;
  const row: Row = {
    section,
    operation,
    n: sorted.length,
    p50,
    p95,
    goal: goal ? `${goal.on} < ${goal.limitMs} ms` : "",
    // A request that failed is a goal missed, never a fast figure.
    pass: goal ? sorted.length > 0 && samples.errors.length === 0 && value < goal.limitMs : samples.errors.length ? false : null,
    note: [note, errors].filter(Boolean).join("; ") || undefined,
  };
  rows.push(row);
  rowUrls.set(row, samples);
  printRow(row);
  return row;
}

// ---------------------------------------------------------------------------------------------
// HTTP: each call timed from the request to the last byte of the answer.

let BASE = "";
let ipCounter = 0;
/** Each caller its own client IP (the server trusts X-Forwarded-For from loopback), so per-IP limits do not collide. */
const nextIp = () => `198.18.${Math.floor(++ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;

type Answer = { status: number; ms: number; body: string; headers: Headers };

async function http(method: "GET" | "POST", url: string, options: { cookie?: string; form?: Record<string, string>; body?: string; origin?: boolean } = {}): Promise<Answer> {
  const headers: Record<string, string> = { "x-forwarded-for": nextIp() };
  if (options.cookie) headers.cookie = options.cookie;
  // A browser's own form posts carry the page's Origin; mailbox providers' one-click posts carry none.
  if (options.origin) headers.origin = BASE;
  let body: string | undefined = options.body;
  if (options.form) body = new URLSearchParams(options.form).toString();
  if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
  const started = performance.now();
  try {
    const response = await fetch(`${BASE}${url}`, { method, headers, body, redirect: "manual", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    return { status: response.status, ms: performance.now() - started, body: text, headers: response.headers };
  } catch (error) {
    // Status 0: no answer (refused, reset, or not answered within REQUEST_TIMEOUT_MS).
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    return { status: 0, ms: performance.now() - started, body: `no answer after ${Math.round(performance.now() - started)} ms (${cause})`, headers: new Headers() };
  }
}

/** Latencies of the answers that were right, the failures, and the URLs and wall-clock window they were asked in. */
type Sample = { ms: number[]; errors: string[]; urls: Set<string>; from: number; to: number };
const emptySample = (urls: string[] = []): Sample => ({ ms: [], errors: [], urls: new Set(urls), from: Date.now(), to: Date.now() });
type Probe = () => Promise<{ ms: number; url: string; error?: string }>;

/** A GET or POST that must answer `expect` (and contain `mustSay`, if given). */
function probe(method: "GET" | "POST", url: string | (() => string), options: { cookie?: string; form?: Record<string, string>; body?: string; origin?: boolean; expect?: number; mustSay?: string } = {}): Probe {
  return async () => {
    const target = typeof url === "string" ? url : url();
    const answer = await http(method, target, options);
    const expect = options.expect ?? 200;
    let error: string | undefined;
    if (answer.status !== expect) error = `${method} ${shortUrl(target)} answered ${answer.status}: ${answer.body.replace(/\s+/g, " ").slice(0, 160)}`;
    else if (options.mustSay && !answer.body.includes(options.mustSay)) error = `${method} ${shortUrl(target)} did not say "${options.mustSay}"`;
    return { ms: answer.ms, url: target, error };
  };
}

const shortUrl = (url: string) => url.replace(/^\/u\/[^?]+/, "/u/…");

/** Repeats `run` up to `count` times or until `seconds` have passed (whichever first), after `warmUp` uncounted runs. */
async function repeat(run: Probe, { count = OP_REQUESTS, seconds = OP_SECONDS, warmUp = 1, until }: { count?: number; seconds?: number; warmUp?: number; until?: () => boolean } = {}): Promise<Sample> {
  const sample = emptySample();
  const deadline = performance.now() + seconds * 1000;
  for (let i = 0; i < warmUp && performance.now() < deadline; i++) {
    const result = await run();
    if (result.error) sample.errors.push(result.error);
  }
  sample.from = Date.now();
  while (sample.ms.length < count && performance.now() < deadline && !until?.()) {
    const result = await run();
    sample.urls.add(result.url);
    if (result.error) sample.errors.push(result.error);
    else sample.ms.push(result.ms);
    // Something refused every time: no point asking it for the whole budget.
    if (sample.ms.length === 0 && sample.errors.length >= 3) break;
  }
  sample.to = Date.now();
  return sample;
}

// ---------------------------------------------------------------------------------------------
// The SMTP sink: accepts everything at once and counts it.

async function startSink() {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    maxClients: 1000,
    onData(stream, _session, callback) {
      stream.on("data", () => {});
      stream.on("end", () => {
        received++;
        callback();
      });
    },
  });
  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "ECONNRESET" && error.code !== "EPIPE") console.error(`SMTP sink: ${error.message}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanUp(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${(server.server.address() as net.AddressInfo).port}`, received: () => received };
}

// ---------------------------------------------------------------------------------------------
// Setup: the build, a copy of the cached database, what the run needs to know about it.

function newestMtime(entry: string): number {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((newest, name) => Math.max(newest, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

function buildIsCurrent(): boolean {
  const outputs = ["build/index.js", "build/worker.js", "build/one-click-writer-thread.js"].map((file) => path.join(ROOT, file));
  if (!outputs.every((file) => fs.existsSync(file))) return false;
  const sources = ["app", "emails", "scripts", "remix.config.js", "prisma/schema.prisma"].map((entry) => path.join(ROOT, entry));
  const newestSource = Math.max(...sources.map(newestMtime));
  return outputs.every((file) => fs.statSync(file).mtimeMs >= newestSource);
}

/** A copy the run may change (one-clicks, the campaign): the cache stays as it was built. */
function copyDatabase(source: string, dir: string): string {
  const target = path.join(dir, "scale.db");
  // A reflink where the file system has them (instant), a plain copy elsewhere.
  fs.copyFileSync(source, target, fs.constants.COPYFILE_FICLONE);
  for (const suffix of ["-wal", "-shm"]) if (fs.existsSync(source + suffix)) fs.copyFileSync(source + suffix, target + suffix, fs.constants.COPYFILE_FICLONE);
  return target;
}

type Facts = {
  contacts: number;
  subscriptions: number;
  events: number;
  units: Map<number, string>;
  /** The topics a campaign can go to (open, offered by email), with their subscriptions on any channel. */
  topics: { id: number; unitId: number; name: string; subscriptions: number }[];
  largest: { id: number; unitId: number; name: string; subscriptions: number };
  tiniest: { id: number; unitId: number; name: string; subscriptions: number };
  /** Contacts with an email subscription, for distinct one-clicks: [contactId, unitId, topicId]. */
  oneClickTargets: [number, number, number][];
  ledgerEmail: string;
  ledgerCampaign: number;
  newestEventDay: string;
};

/** What the run needs to know, read from the file before the server starts (read-only). */
function readFacts(file: string, oneClicks: number): Facts {
  const sqlite = new Database(file, { readonly: true });
  try {
    const count = (sql: string) => (sqlite.prepare(sql).get() as { n: number }).n;
    const units = new Map((sqlite.prepare(`SELECT id, slug FROM BusinessUnit`).all() as { id: number; slug: string }[]).map((u) => [u.id, u.slug]));
    const sizes = new Map((sqlite.prepare(`SELECT topicId, COUNT(*) AS n FROM Subscription GROUP BY topicId`).all() as { topicId: number; n: number }[]).map((t) => [t.topicId, t.n]));
    const topics = (sqlite.prepare(`SELECT id, unitId, name FROM Topic WHERE archivedAt IS NULL AND offersEmail = 1 ORDER BY id`).all() as { id: number; unitId: number; name: string }[]).map((t) => ({
      ...t,
      subscriptions: sizes.get(t.id) ?? 0,
    }));
    const bySize = [...topics].sort((a, b) => b.subscriptions - a.subscriptions);
    const oneClickTargets = (
      sqlite
        .prepare(
          `SELECT s.contactId AS contactId, t.unitId AS unitId, s.topicId AS topicId FROM Subscription s JOIN Topic t ON t.id = s.topicId
           WHERE s.channel = 'EMAIL' AND s.status = 'SUBSCRIBED' GROUP BY s.contactId ORDER BY s.contactId DESC LIMIT ?`,
        )
        .all(oneClicks) as { contactId: number; unitId: number; topicId: number }[]
    ).map((r): [number, number, number] => [r.contactId, r.unitId, r.topicId]);
    const events = count(`SELECT COALESCE(MAX(id), 0) AS n FROM ConsentEvent`);
    // Someone in the middle of the ledger: their events are spread over its whole history.
    const middle = sqlite.prepare(`SELECT c.email AS email FROM ConsentEvent e JOIN Contact c ON c.id = e.contactId WHERE e.id >= ? LIMIT 1`).get(Math.floor(events / 2)) as
      | { email: string }
      | undefined;
    const campaign = sqlite.prepare(`SELECT MIN(id) AS id FROM Campaign`).get() as { id: number | null };
    const newest = sqlite.prepare(`SELECT createdAt FROM ConsentEvent WHERE id = ?`).get(events) as { createdAt: string } | undefined;
    return {
      contacts: count(`SELECT COUNT(*) AS n FROM Contact`),
      subscriptions: count(`SELECT COUNT(*) AS n FROM Subscription`),
      events,
      units,
      topics,
      largest: bySize[0],
      tiniest: bySize.at(-1)!,
      oneClickTargets,
      ledgerEmail: middle?.email ?? "jane.doe@example.com",
      ledgerCampaign: campaign.id ?? 1,
      newestEventDay: (newest?.createdAt ?? new Date().toISOString()).slice(0, 10),
    };
  } finally {
    sqlite.close();
  }
}

/** The link key the server signs with (it makes one at start if the file has none). */
function readKeyring(file: string): Keyring {
  const sqlite = new Database(file, { readonly: true });
  try {
    const key = sqlite.prepare(`SELECT kid, secret FROM SigningKey WHERE retiredAt IS NULL ORDER BY id DESC LIMIT 1`).get() as { kid: string; secret: string } | undefined;
    if (!key) throw new Error("The server started without a signing key.");
    const linkKey = { kid: key.kid, key: crypto.createSecretKey(Buffer.from(key.secret, "base64url")) };
    return { signing: linkKey, verifying: new Map([[linkKey.kid, linkKey]]), optOutOnly: new Map(), revoked: new Set() };
  } finally {
    sqlite.close();
  }
}

async function campaignStatus(databaseUrl: string, id: number): Promise<string> {
  return (await readOne<{ status: string }>(databaseUrl, `SELECT "status" FROM "Campaign" WHERE "id" = ?`, id))?.status ?? "missing";
}

async function signIn(email: string): Promise<string> {
  const login = DEMO_LOGINS.find((person) => person.email === email);
  if (!login) throw new Error(`The demo seed has no login ${email}`);
  const answer = await http("POST", "/login", { form: { intent: "password", email, password: login.password }, origin: true });
  const cookie = answer.headers.get("set-cookie")?.match(/pc_session=[^;]*/)?.[0];
  if (answer.status !== 302 || !cookie) throw new Error(`Signing in as ${email} failed (${answer.status}): ${answer.body.slice(0, 200)}`);
  return cookie;
}

// ---------------------------------------------------------------------------------------------
// Processes beside the server: the CLI export, measured from /proc.

/** Resident memory now and at its peak (VmRSS, VmHWM) of every process in the group of `pid`, in MB. */
function groupMemory(pid: number): { rssMb: number; peakMb: number } {
  let rssMb = 0;
  let peakMb = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    let status: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      status = fs.readFileSync(`/proc/${entry}/status`, "utf8");
    } catch {
      continue;
    }
    const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
    if (pgrp !== pid) continue;
    // The node process doing the work is the biggest of the group (tsx starts a child).
    rssMb = Math.max(rssMb, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    peakMb = Math.max(peakMb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  }
  return { rssMb, peakMb };
}

type ExportRun = { rows: number; seconds: number; firstRowSeconds: number | null; finished: boolean; peakRssMb: number | null; rssAtQuarterMb: number | null; rssAtEndMb: number | null; error?: string };

/** `npm run cli -- ledger export --unit <slug>`, read for at most `seconds` (or until `stop`). */
async function cliExport(env: NodeJS.ProcessEnv, unit: string, seconds: number, stop?: { stopped: boolean }): Promise<ExportRun> {
  const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["app/cli/main.ts", "ledger", "export", "--unit", unit], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const kill = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  onCleanUp(kill);
  const started = performance.now();
  let newlines = 0;
  let firstRowAt: number | null = null;
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    firstRowAt ??= performance.now();
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
  });
  child.stderr.on("data", (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let finished = false;
  let code: number | null = null;
  void exited.then((c) => {
    finished = true;
    code = c;
  });
  let peak = 0;
  let quarter: number | null = null;
  let last: number | null = null;
  const deadline = started + seconds * 1000;
  while (!finished && performance.now() < deadline && !stop?.stopped) {
    const memory = groupMemory(child.pid!);
    if (memory.peakMb > 0) {
      peak = Math.max(peak, memory.peakMb);
      last = memory.rssMb;
      if (quarter === null && performance.now() - started >= (seconds * 1000) / 4) quarter = memory.rssMb;
    }
    await sleep(250);
  }
  const ended = performance.now();
  const completed = finished;
  if (!completed) kill();
  await exited;
  // The header line is not a row.
  const rows = Math.max(0, newlines - 1);
  return {
    rows,
    // From the command's start, as the person who typed it waits: start-up and first row included.
    seconds: (ended - started) / 1000,
    firstRowSeconds: firstRowAt === null ? null : (firstRowAt - started) / 1000,
    finished: completed,
    peakRssMb: peak || null,
    rssAtQuarterMb: quarter,
    rssAtEndMb: last,
    error: completed && code !== 0 ? `exit ${code}: ${stderr.trim().split("\n").slice(-3).join(" ")}` : undefined,
  };
}

/** POST /admin/ledger.csv?unit=<slug> as the page's button does, read for at most `seconds` (or until `stop`). */
async function webExport(cookie: string, unit: string, seconds: number, stop?: { stopped: boolean }): Promise<ExportRun> {
  const abort = new AbortController();
  const started = performance.now();
  const timer = setTimeout(() => abort.abort(), seconds * 1000);
  const poll = stop ? setInterval(() => stop.stopped && abort.abort(), 100) : null;
  let newlines = 0;
  let firstRowAt: number | null = null;
  let finished = false;
  let error: string | undefined;
  try {
    const response = await fetch(`${BASE}/admin/ledger.csv?unit=${encodeURIComponent(unit)}`, {
      method: "POST",
      headers: { cookie, origin: BASE, "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": nextIp() },
      body: "",
      signal: abort.signal,
      redirect: "manual",
    });
    if (response.status !== 200) error = `answered ${response.status}: ${(await response.text()).slice(0, 160)}`;
    else {
      for await (const chunk of response.body! as unknown as AsyncIterable<Uint8Array>) {
        firstRowAt ??= performance.now();
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
      }
      finished = true;
    }
  } catch (thrown) {
    if (!abort.signal.aborted) error = (thrown as Error).message;
  } finally {
    clearTimeout(timer);
    if (poll) clearInterval(poll);
  }
  const ended = performance.now();
  return {
    rows: Math.max(0, newlines - 1),
    // From the click, as the admin waits: the time to the first row included.
    seconds: (ended - started) / 1000,
    firstRowSeconds: firstRowAt === null ? null : (firstRowAt - started) / 1000,
    finished,
    peakRssMb: null,
    rssAtQuarterMb: null,
    rssAtEndMb: null,
    error,
  };
}

/** Flat memory: from a quarter of the run to its end (three times the rows) the peak grows by at most a quarter. */
function flatMemory(run: ExportRun): boolean {
  return run.peakRssMb !== null && run.rssAtQuarterMb !== null && run.peakRssMb <= run.rssAtQuarterMb * GOALS.exportRssGrowth;
}

function exportRow(operation: string, run: ExportRun, memoryGoal: boolean, note?: string): Row {
  const perSecond = run.seconds > 0 ? run.rows / run.seconds : 0;
  const memory = run.peakRssMb === null ? "" : `, peak RSS ${int(run.peakRssMb)} MB (${int(run.rssAtQuarterMb ?? 0)} MB at a quarter, ${int(run.rssAtEndMb ?? 0)} MB at the end)`;
  const pass = !run.error && perSecond >= GOALS.exportRowsPerSecond && (!memoryGoal || flatMemory(run));
  const row: Row = {
    section: "export",
    operation,
    n: run.rows,
    p50: NaN,
    p95: NaN,
    figure: `${int(perSecond)} rows/s`,
    goal: `≥ ${int(GOALS.exportRowsPerSecond)} rows/s${memoryGoal ? `, flat memory (peak ≤ ${GOALS.exportRssGrowth} × RSS at a quarter)` : ""}`,
    pass,
    note:
      [
        `${int(run.rows)} rows in ${run.seconds.toFixed(1)} s${run.finished ? " (the whole export)" : " (cut off)"}`,
        run.firstRowSeconds === null ? "no row came" : `first row after ${run.firstRowSeconds.toFixed(1)} s`,
      ].join(", ") +
      memory +
      (run.error ? `; failed: ${run.error}` : "") +
      (note ? `; ${note}` : ""),
  };
  rows.push(row);
  printRow(row);
  return row;
}

// ---------------------------------------------------------------------------------------------
// The people's requests, and the "while" test.

/** One-click POSTs, each for a distinct contact (pre-signed tokens), as a mailbox provider sends them: no Origin, no cookie. */
function oneClickFeed(tokens: string[]): Probe {
  let next = 0;
  return async () => {
    // Past the end the tokens repeat: the contact is already out, the answer still a 200.
    const url = tokens[next++ % tokens.length];
    const answer = await http("POST", url, { body: ONE_CLICK_BODY });
    return { ms: answer.ms, url: "/u/…", error: answer.status === 200 ? undefined : `one-click answered ${answer.status}: ${answer.body.slice(0, 120)}` };
  };
}

type Heavy = { label: string; run: (stop: { stopped: boolean }) => Promise<number> };

/** A loop of `probe` until stopped; returns how many times it ran to the end. */
const loopOf =
  (run: Probe): Heavy["run"] =>
  async (stop) => {
    let n = 0;
    while (!stop.stopped) {
      await run();
      n++;
    }
    return n;
  };

async function whileRunning(section: string, heavy: Heavy, oneClick: Probe, preferences: Probe): Promise<void> {
  const stop = { stopped: false };
  // A heavy request that throws ends its loop, not the run.
  let failure = "";
  const heavyDone = heavy.run(stop).catch((error: Error) => ((failure = error.message), 0));
  // The heavy request first: the people's requests arrive while it runs.
  await sleep(200);
  const [clicks, prefs] = await Promise.all([
    repeat(oneClick, { count: Infinity, seconds: STALL_SECONDS, warmUp: 0 }),
    repeat(preferences, { count: Infinity, seconds: STALL_SECONDS, warmUp: 0 }),
  ]);
  stop.stopped = true;
  const heavyRuns = await heavyDone;
  const note = (sample: Sample) =>
    `${sample.ms.length ? `max ${ms(Math.max(...sample.ms))} ms; ` : ""}${heavyRuns} heavy run${heavyRuns === 1 ? "" : "s"} finished in the window${failure ? ` (it failed: ${failure})` : ""}`;
  latencyRow(section, `one-click while ${heavy.label}`, clicks, { on: "p95", limitMs: GOALS.oneClickP95Ms }, note(clicks));
  latencyRow(section, `/preferences while ${heavy.label}`, prefs, { on: "p95", limitMs: GOALS.preferencesP95Ms }, note(prefs));
}

// ---------------------------------------------------------------------------------------------
// The table.

const COLUMNS = [46, 8, 11, 11, 24, 6];
function line(cells: string[]): string {
  return cells.map((cell, i) => (i === 0 || i === 4 ? cell.padEnd(COLUMNS[i]) : cell.padStart(COLUMNS[i]))).join(" ");
}
const verdict = (pass: boolean | null) => (pass === null ? "—" : pass ? "pass" : "FAIL");
function printRow(row: Row): void {
  const p50 = row.figure ?? (row.n ? `${ms(row.p50)} ms` : "—");
  const p95 = row.figure || !row.n ? "" : `${ms(row.p95)} ms`;
  console.log(`  ${row.operation}: n ${int(row.n)}, p50 ${p50}${p95 ? `, p95 ${p95}` : ""}${row.goal ? ` (goal ${row.goal}: ${verdict(row.pass)})` : ""}${row.note ? ` — ${row.note}` : ""}`);
}

/** The server's own time per request, from its access log ("… METHOD url status 12.3ms"). */
function serverTimings(logFile: string): { at: number; url: string; ms: number }[] {
  return [...fs.readFileSync(logFile, "utf8").matchAll(/^(\S+) \S+ (?:GET|POST) (\S+) \d{3} ([\d.]+)ms$/gm)].map((match) => ({
    at: Date.parse(match[1]),
    url: match[2],
    ms: Number(match[3]),
  }));
}

function printTable(facts: Facts, databaseBytes: number, serverLog: string): void {
  const timings = serverTimings(serverLog);
  for (const [row, sample] of rowUrls) {
    // The log line is written when the answer is finished: within the sample's window, give or take a tick.
    const all = timings.filter((t) => sample.urls.has(t.url) && t.at >= sample.from && t.at <= sample.to + 50).map((t) => t.ms);
    if (all.length) row.serverP50 = percentile(Float64Array.from(all).sort(), 0.5);
  }
  const cpus = os.cpus();
  console.log(`\n${"=".repeat(112)}`);
  console.log(
    `bench:scale — ${int(facts.contacts)} contacts, ${int(facts.subscriptions)} subscriptions, ${int(facts.events)} ledger events; ` +
      `${benchDatabaseKind() === "postgres" ? "PostgreSQL database" : "SQLite file"} ${(databaseBytes / 1e9).toFixed(2)} GB`,
  );
  console.log(`Machine: ${cpus.length} cores, ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM; Node ${process.version}, ${os.platform()} ${os.release()}`);
  console.log(
    `Topics: largest "${facts.largest.name}" (id ${facts.largest.id}, ${int(facts.largest.subscriptions)} subscriptions), ` +
      `tiniest "${facts.tiniest.name}" (id ${facts.tiniest.id}, ${int(facts.tiniest.subscriptions)}, added by the run)`,
  );
  console.log(`Budgets: each operation up to ${OP_REQUESTS} requests or ${OP_SECONDS} s after one warm-up; "while" windows ${STALL_SECONDS} s; exports read up to ${EXPORT_SECONDS} s.`);
  console.log(`Staff operations are held to their p50, the people's (one-click, /preferences) to their p95. "server p50" is the server's own time (access log).\n`);
  console.log(line(["operation", "n", "p50", "p95", "goal", "result"]) + "  server p50");
  let section = "";
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      console.log(`-- ${section}`);
    }
    const p50 = row.figure ?? (row.n ? `${ms(row.p50)} ms` : "—");
    const p95 = row.figure || !row.n ? "" : `${ms(row.p95)} ms`;
    const server = row.serverP50 === undefined ? "" : `  ${ms(row.serverP50)} ms`;
    console.log(line([row.operation.slice(0, COLUMNS[0]), int(row.n), p50, p95, row.goal, verdict(row.pass)]) + server);
  }
  const notes = rows.filter((row) => row.note);
  if (notes.length) {
    console.log("\nNotes:");
    for (const row of notes) console.log(`  ${row.operation}: ${row.note}`);
  }
  // What the server said besides its access log: errors behind a 500, warnings.
  const said = [
    ...new Set(
      fs
        .readFileSync(serverLog, "utf8")
        .split("\n")
        .filter((text) => text.trim() && !/^\S+ \S+ (?:GET|POST|HEAD) \S+ \d{3} [\d.]+ms$/.test(text) && !/^\s+at /.test(text)),
    ),
  ];
  if (said.length) {
    console.log("\nThe server's log, apart from its access lines (first 30 distinct):");
    for (const text of said.slice(0, 30)) console.log(`  ${text.slice(0, 300)}`);
  }
  const missed = rows.filter((row) => row.pass === false);
  console.log(`\n${missed.length === 0 ? "Every goal met." : `${missed.length} goal${missed.length === 1 ? "" : "s"} missed: ${missed.map((row) => row.operation).join("; ")}.`}`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<boolean> {
  if (!(Number.isSafeInteger(CONTACTS) && CONTACTS >= 1000)) throw new Error(`BENCH_CONTACTS must be a whole number ≥ 1000 (got "${process.env.BENCH_CONTACTS}").`);
  for (const [name, value] of [["BENCH_OP_SECONDS", OP_SECONDS], ["BENCH_STALL_SECONDS", STALL_SECONDS], ["BENCH_EXPORT_SECONDS", EXPORT_SECONDS]] as const) {
    if (!(Number.isFinite(value) && value >= 1)) throw new Error(`${name} must be a number of seconds ≥ 1 (got "${process.env[name]}").`);
  }
  if (!buildIsCurrent()) {
    console.log("▶ The production build is missing or older than the sources: npm run build");
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit", timeout: 600_000 });
  }
  const cached = await scaleDatabase(CONTACTS);
  const tmp = tempDir("scale-bench-");
  const databaseFile = await step(`Copying ${path.basename(cached.databaseFile)} to a temp dir (the cache is never written)`, () => copyDatabase(cached.databaseFile, tmp));
  // Enough distinct contacts for every one-click of the run (about 150/s at most, for all the windows).
  const facts = await step("Reading the topics, units and a few ids from the file", () => readFacts(databaseFile, 40_000));
  // On PostgreSQL the app runs on a copy of the same seed; the facts above are read from the file all the same.
  const onPostgresql = benchDatabaseKind() === "postgres";
  if (onPostgresql) {
    process.env.SESSION_SECRET ??= crypto.randomBytes(32).toString("base64url");
    process.env.ADDRESS_HASH_KEY ??= crypto.randomBytes(32).toString("base64url");
  }
  const databaseUrl = onPostgresql
    ? await step("A PostgreSQL database from the seed (copied once into a cached template)", async () => {
        const template = await cachedPostgresqlCopy(cached.databaseFile, `bench_${path.basename(cached.databaseFile, ".db").replace(/[^a-z0-9]+/gi, "_").toLowerCase()}`, (table, n) =>
          process.stdout.write(`${table} ${int(n)}; `),
        );
        return createBenchPostgresql("scale", { template });
      })
    : `file:${databaseFile}`;
  const unitOf = (topic: { unitId: number }) => facts.units.get(topic.unitId)!;
  const marketerOf = (slug: string) => DEMO_LOGINS.find((login) => login.role === "MARKETER" && (login.units as readonly string[]).includes(slug))?.email;

  const sink = await startSink();
  const port = await freePort();
  BASE = `http://127.0.0.1:${port}`;
  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    SKIP_DEMO_SEED: "1",
    INBOUND_SMTP_PORT: "off",
    MAIL_TRANSPORT: "smtp",
    SMTP_URL: sink.url,
    PUBLIC_URL: BASE,
    ALLOW_HTTP_PUBLIC_URL: "1",
    // Campaigns go out through `npm run worker`, started below, as in production.
    CAMPAIGN_SENDER: "off",
    SEND_RATE_PER_SECOND: String(SEND_RATE_PER_SECOND),
  };
  const serverLog = path.join(tmp, "server.log");
  const server = await step("Starting the server (tsx scripts/start.ts, production build)", () => startProcess("server", tsx("scripts/start.ts"), appEnv, serverLog, "listening on"));
  const workerCommand = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.worker.split(/\s+/);
  const worker: ChildProcess = await step("Starting the sender (npm run worker)", () => startProcess("sender", workerCommand, appEnv, path.join(tmp, "sender.log"), "Campaign sender"));

  const keyring = readKeyring(databaseFile);
  const tokens = await step(`Signing ${int(facts.oneClickTargets.length)} one-click links for distinct contacts`, () =>
    facts.oneClickTargets.map(([contactId, unitId, topicId]) => `/u/${signLinkToken(keyring, { purpose: "unsubscribe", contactId, channel: "EMAIL", unitId, topicId })}`),
  );
  const largeUnit = unitOf(facts.largest);
  const admin = await step("Signing in as the demo admin", () => signIn("admin@example.com"));
  // The seed's tiniest topic is by post only, which the composer cannot send to: the tiniest
  // email topic is a new one, made as an admin makes it, with nobody on it yet.
  const tinyTopic = await step(`Adding an empty email topic to ${largeUnit} (the admin's new-topic page)`, async () => {
    const slug = `bench-tiny-${crypto.randomBytes(3).toString("hex")}`;
    const form = { slug, name: "Bench tiny topic", description: "A topic nobody has joined yet.", offersEmail: "on" };
    const answer = await http("POST", `/admin/units/${largeUnit}/topics/new`, { cookie: admin, origin: true, form });
    if (answer.status !== 302) throw new Error(`Adding a topic failed (${answer.status}): ${answer.body.slice(0, 200)}`);
    const topic = (await readOne<{ id: number; unitId: number; name: string }>(databaseUrl, `SELECT "id", "unitId", "name" FROM "Topic" WHERE "slug" = ? AND "unitId" = ?`, slug, facts.largest.unitId))!;
    return { ...topic, subscriptions: 0 };
  });
  facts.tiniest = tinyTopic;
  const tinyUnit = unitOf(facts.tiniest);
  const largeMarketer = marketerOf(largeUnit);
  const tinyMarketer = marketerOf(tinyUnit);
  if (!largeMarketer || !tinyMarketer) throw new Error(`No demo marketer for ${largeUnit} or ${tinyUnit}.`);
  const [marketer, tinyUnitMarketer, subscriber] = await step("Signing in as the demo marketers and the subscriber", async () => [
    await signIn(largeMarketer),
    await signIn(tinyMarketer),
    await signIn("jane.doe@example.com"),
  ]);
  const checkAlive = () => {
    for (const child of [server, worker]) if (child.crash()) throw new Error(`The ${child.name} process died: ${child.crash()}`);
  };

  const oneClick = oneClickFeed(tokens);
  const preferences = probe("GET", "/preferences", { cookie: subscriber });

  console.log("\n▶ The people's requests, nothing else running");
  latencyRow("people, quiet", "one-click (RFC 8058 POST /u/<token>)", await repeat(oneClick, { count: 500, seconds: 10, warmUp: 20 }), { on: "p95", limitMs: GOALS.oneClickP95Ms });
  latencyRow("people, quiet", "/preferences (subscriber)", await repeat(preferences, { count: 200, seconds: 10, warmUp: 5 }), { on: "p95", limitMs: GOALS.preferencesP95Ms });

  console.log("\n▶ Staff pages that look up by key");
  for (const page of ["/admin/audit", "/admin/suppressions", "/campaigns"]) latencyRow("staff pages", page, await repeat(probe("GET", page, { cookie: admin })), null);
  checkAlive();

  console.log("\n▶ The composer's audience count (POST /campaigns/preview, as the composer's live preview asks)");
  const previewOf = (topic: Facts["topics"][number], cookie: string) =>
    probe("POST", "/campaigns/preview", {
      cookie,
      origin: true,
      form: { unitId: String(topic.unitId), topicId: String(topic.id), subject: "Winter offers", preheader: "Three things", bodyMarkdown: "# Winter offers\n\nHello." },
      mustSay: '"audience"',
    });
  const audienceLarge = previewOf(facts.largest, marketer);
  latencyRow("audience", `audience count, largest topic (${int(facts.largest.subscriptions)} subs)`, await repeat(audienceLarge), { on: "p50", limitMs: GOALS.audienceMs });
  latencyRow("audience", `audience count, tiniest topic (${int(facts.tiniest.subscriptions)} subs)`, await repeat(previewOf(facts.tiniest, tinyUnitMarketer)), {
    on: "p50",
    limitMs: GOALS.audienceMs,
  });
  checkAlive();

  console.log("\n▶ /admin/ledger with each single filter");
  const day = (daysBefore: number) => new Date(Date.parse(`${facts.newestEventDay}T00:00:00Z`) - daysBefore * 86_400_000).toISOString().slice(0, 10);
  const oldDay = day(700);
  const filters: [string, string][] = [
    ["no filter", ""],
    ["unit", `unit=${largeUnit}`],
    ["topic", `topic=${facts.largest.id}`],
    ["source", "source=MAILTO"],
    ["action", "action=GLOBAL_OPT_OUT"],
    ["campaign", `campaign=${facts.ledgerCampaign}`],
    ["email", `email=${encodeURIComponent(facts.ledgerEmail)}`],
    ["from (30 days ago)", `from=${day(30)}`],
    ["to (an old date)", `to=${oldDay}`],
  ];
  let unitPage = "";
  for (const [label, query] of filters) {
    const url = `/admin/ledger${query ? `?${query}` : ""}`;
    const run = probe("GET", url, { cookie: admin });
    const sample = await repeat(async () => {
      const result = await run();
      return result;
    });
    latencyRow("ledger", `/admin/ledger ${label}`, sample, { on: "p50", limitMs: GOALS.ledgerMs }, label === "no filter" ? undefined : query);
    if (label === "unit") unitPage = (await http("GET", url, { cookie: admin })).body;
  }
  // The next page as the page links it: the last event shown is where the next page starts.
  const before = /[?&;]before=(\d+)/.exec(unitPage)?.[1];
  if (before) latencyRow("ledger", "/admin/ledger unit, next page", await repeat(probe("GET", `/admin/ledger?unit=${largeUnit}&before=${before}`, { cookie: admin })), { on: "p50", limitMs: GOALS.ledgerMs }, `before=${before}`);
  else latencyRow("ledger", "/admin/ledger unit, next page", { ...emptySample(), errors: ["the unit's page links no next page"] }, { on: "p50", limitMs: GOALS.ledgerMs });
  checkAlive();

  console.log(`\n▶ The CLI ledger export of unit ${largeUnit}`);
  exportRow(`CLI ledger export --unit ${largeUnit}`, await cliExport(appEnv, largeUnit, EXPORT_SECONDS), true);

  console.log(`\n▶ The people's requests while a heavy staff request runs in a loop beside them (${STALL_SECONDS} s each)`);
  const heavies: Heavy[] = [
    { label: "the audience count (largest topic)", run: loopOf(audienceLarge) },
    { label: `/admin/ledger?unit=${largeUnit}`, run: loopOf(probe("GET", `/admin/ledger?unit=${largeUnit}`, { cookie: admin })) },
    { label: `/admin/ledger?to=${oldDay}`, run: loopOf(probe("GET", `/admin/ledger?to=${oldDay}`, { cookie: admin })) },
    {
      label: "the CLI ledger export",
      run: async (stop) => {
        let n = 0;
        while (!stop.stopped) if ((await cliExport(appEnv, largeUnit, EXPORT_SECONDS * 10, stop)).finished) n++;
        return n;
      },
    },
  ];
  for (const heavy of heavies) {
    await whileRunning("while a staff request runs", heavy, oneClick, preferences);
    checkAlive();
  }

  console.log(`\n▶ A campaign to the largest topic (${facts.largest.name}), sent by npm run worker to the SMTP sink at ${SEND_RATE_PER_SECOND}/s`);
  const fields = { unitId: String(facts.largest.unitId), topicId: String(facts.largest.id), subject: "Winter offers", preheader: "Three things we think you will like", bodyMarkdown: "# Winter offers\n\nHello, here is what is new this month." };
  const created = await http("POST", "/campaigns/new", { cookie: marketer, origin: true, form: { intent: "save", ...fields } });
  const campaignId = Number(/^\/campaigns\/(\d+)$/.exec(created.headers.get("location") ?? "")?.[1]);
  if (created.status !== 302 || !campaignId) throw new Error(`Saving the draft failed (${created.status}): ${created.body.slice(0, 300)}`);
  latencyRow("campaign", "save the draft (POST /campaigns/new)", { ...emptySample(["/campaigns/new"]), ms: [created.ms], from: Date.now() - created.ms - 50 }, null);
  // What the page's buttons post with JavaScript: the action alone (/campaigns/<id>.data); the page then revalidates.
  const action = `/campaigns/${campaignId}.data`;
  const confirm = await repeat(probe("POST", action, { cookie: marketer, origin: true, form: { intent: "confirm-send", ...fields }, mustSay: "confirmation" }), { count: 1, warmUp: 0, seconds: 1 });
  latencyRow("campaign", "start 1/2: confirm (shows the audience)", confirm, null);
  const send = await repeat(probe("POST", action, { cookie: marketer, origin: true, form: { intent: "send", ...fields }, mustSay: "Sending has started" }), { count: 1, warmUp: 0, seconds: 1 });
  latencyRow("campaign", "start 2/2: send now", send, null);
  if (send.errors.length) throw new Error(`The campaign did not start: ${send.errors[0]}`);
  const sendingFrom = performance.now();
  while (sink.received() === 0) {
    checkAlive();
    if (performance.now() - sendingFrom > 120_000) throw new Error("The sender sent nothing within 120 s of the start.");
    await sleep(100);
  }
  console.log(`  the first message reached the sink ${((performance.now() - sendingFrom) / 1000).toFixed(1)} s after the start`);
  const sending = async () => (await campaignStatus(databaseUrl, campaignId)) === "SENDING";
  const page = probe("GET", `/campaigns/${campaignId}`, { cookie: marketer, mustSay: "Pause" });
  const poll = probe("GET", `/campaigns/${campaignId}.data`, { cookie: marketer });
  latencyRow("campaign", "campaign page while sending (GET)", await repeat(page), { on: "p50", limitMs: GOALS.campaignMs });
  latencyRow("campaign", "its 2 s poll while sending (GET .data)", await repeat(poll), { on: "p50", limitMs: GOALS.campaignMs });
  await whileRunning("while the campaign page is open", { label: "the campaign page (sending)", run: loopOf(page) }, oneClick, preferences);
  // A click on Pause or Resume is the action (POST .data) and then the page's revalidation
  // (GET .data): the marketer sees the new state after both. The action alone is shown too.
  const clicks = { pause: emptySample([action]), resume: emptySample([action]) };
  const actions = { pause: emptySample([action]), resume: emptySample([action]) };
  const pauseDeadline = performance.now() + 2 * OP_SECONDS * 1000;
  while (clicks.pause.ms.length < 5 && performance.now() < pauseDeadline) {
    if (!(await sending())) {
      clicks.pause.errors.push("the campaign was no longer sending");
      break;
    }
    for (const [intent, says] of [["pause", "Paused."], ["resume", "Resumed."]] as const) {
      const posted = await probe("POST", action, { cookie: marketer, origin: true, form: { intent }, mustSay: says })();
      const revalidated = await poll();
      const error = posted.error ?? revalidated.error;
      if (error) clicks[intent].errors.push(error);
      else {
        actions[intent].ms.push(posted.ms);
        clicks[intent].ms.push(posted.ms + revalidated.ms);
      }
    }
    // A second of sending between the pairs, as a person would.
    await sleep(1000);
  }
  for (const sample of [...Object.values(clicks), ...Object.values(actions)]) sample.to = Date.now();
  latencyRow("campaign", "pause while sending (click: POST + GET .data)", clicks.pause, { on: "p50", limitMs: GOALS.campaignMs });
  latencyRow("campaign", "pause, the action alone (POST .data)", actions.pause, null);
  latencyRow("campaign", "resume (click: POST + GET .data)", clicks.resume, null);
  console.log(`  the sink received ${int(sink.received())} messages; the campaign is ${await campaignStatus(databaseUrl, campaignId)}`);
  checkAlive();
  await worker.stop();

  // Last: an export the admin gives up on may keep the server busy after the answer is dropped.
  console.log(`\n▶ The web ledger export of unit ${largeUnit} (the ledger page's CSV button), then the people's requests beside it`);
  const serverPeakBefore = server.processStats()?.peakRssMb ?? null;
  const web = await webExport(admin, largeUnit, EXPORT_SECONDS);
  const serverPeakAfter = server.processStats()?.peakRssMb ?? null;
  exportRow(
    `web CSV POST /admin/ledger.csv?unit=${largeUnit}`,
    web,
    false,
    serverPeakBefore === null || serverPeakAfter === null ? undefined : `server peak RSS ${int(serverPeakBefore)} → ${int(serverPeakAfter)} MB`,
  );
  checkAlive();
  const webHeavy: Heavy = {
    label: "the web ledger export",
    run: async (stop) => {
      let n = 0;
      while (!stop.stopped) if ((await webExport(admin, largeUnit, EXPORT_SECONDS, stop)).finished) n++;
      return n;
    },
  };
  await whileRunning("while a staff request runs", webHeavy, oneClick, preferences);
  await server.stop();

  printTable(facts, await databaseBytes(databaseUrl), serverLog);
  return rows.every((row) => row.pass !== false);
}

await runBenchmark(main);
