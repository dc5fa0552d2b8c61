import fs from "node:fs";
import path from "node:path";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "~/utils/db.server.ts";
import { startApp, type RunningApp } from "../helpers/app-server.ts";
import { launchBrowser, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { TEST_TMP } from "../helpers/paths.ts";
import { headerValues, startSmtpSink, type SmtpSink } from "../helpers/smtp-sink.ts";
import { createTestDatabase, testsOnPostgresql, type TestDatabase } from "../helpers/test-database.ts";

// docs/deploy.md, run for real: two web processes and two campaign workers on one database
// (PostgreSQL in CI's second pass, SQLite in its first). A marketer sends a campaign from one web
// process, the workers send it, and a recipient's one-click is answered by the other web process.

const AUDIENCE_ADDED = 600;
// A sender claims a step of about 5 s at its rate (at most 400) and the next one while sending
// it: at 40/s a step is 200, so the first worker holds 400 of the 600 while the second joins
// (it looks for work every second) and takes the rest.
const SEND_RATE = "40";

let database: TestDatabase;
let web: RunningApp[] = [];
let workers: { process: ChildProcess; sink: SmtpSink; output: () => string }[] = [];
let browser: Browser;
let client: Db;

/** `npm run worker` as deployed: its own process, CAMPAIGN_SENDER's counterpart, mail to its own relay. */
async function startWorker(publicUrl: string) {
  const sink = await startSmtpSink();
  let output = "";
  const child = spawn(process.execPath, ["build/worker.js"], {
    env: { ...process.env, NODE_ENV: "production", DATABASE_URL: database.url, MAIL_TRANSPORT: "smtp", SMTP_URL: sink.url, PUBLIC_URL: publicUrl, ALLOW_HTTP_PUBLIC_URL: "1", SEND_RATE_PER_SECOND: SEND_RATE },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", () => output.includes("Campaign sender") && resolve());
    child.on("exit", (code) => reject(new Error(`The worker exited with ${code}:\n${output}`)));
  });
  return { process: child, sink, output: () => output };
}

beforeAll(async () => {
  database = await createTestDatabase("group");
  const shared = { CAMPAIGN_SENDER: "off", INBOUND_SMTP_PORT: "off" };
  // The first web process migrates and seeds; the second finds both done.
  const first = await startApp({ database, env: shared });
  const second = await startApp({ database, env: { ...shared, SKIP_DEMO_SEED: "1" } });
  web = [first, second];
  client = createDb(database.url, { poolSize: 2 });
  // More of an audience than one step of one worker, so that both have work on PostgreSQL.
  const csv = path.join(TEST_TMP, `group-${process.pid}.csv`);
  const rows = Array.from({ length: AUDIENCE_ADDED }, (_, i) => `group-${i}@example.org,Group ${i},tax-tips,email,express,2026-01-01,signup form`);
  fs.writeFileSync(csv, ["email,name,topic,channel,basis,consented_at,source", ...rows].join("\n"));
  const imported = spawnSync(path.resolve("node_modules/.bin/tsx"), ["app/cli/main.ts", "contacts", "import", csv, "--unit", "example-tax"], {
    env: { ...process.env, DATABASE_URL: database.url },
    encoding: "utf8",
  });
  expect(imported.status, imported.stderr).toBe(0);
  workers = await Promise.all([startWorker(first.url), startWorker(first.url)]);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const worker of workers) {
    worker.process.kill("SIGTERM");
    await worker.sink.close();
  }
  await client?.$disconnect();
  for (const app of web) await app.stop();
  await database?.drop();
});

/** A marketer writes a Tax tips campaign on this web process and sends it now; its id. */
async function sendTaxTips(page: Page, webUrl: string, subject: string, body: string): Promise<number> {
  await page.goto(`${webUrl}/campaigns/new`);
  await page.getByLabel("Topic").selectOption({ label: "Tax tips" });
  await page.getByLabel("Subject").fill(subject);
  await page.getByLabel("Body (Markdown)").fill(body);
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.waitForURL(/\/campaigns\/\d+$/);
  const campaignId = Number(page.url().split("/").at(-1));
  await page.getByRole("button", { name: "Send now…" }).click();
  await page.getByRole("button", { name: /^Send to [\d,]+ people now$/ }).click();
  return campaignId;
}

const untilSent = (campaignId: number) =>
  expect.poll(() => client.campaign.findUnique({ where: { id: campaignId }, select: { status: true } }).then((c) => c?.status), { timeout: 60_000 }).toBe("SENT");

describe("a group deployment: two web processes and two workers on one database", { timeout: 120_000 }, () => {
  it("sends a campaign once to each person, and a one-click on the other web process stops the next one", async () => {
    const [first, second] = web;
    const page = await (await browser.newContext()).newPage();
    await signIn(page, first.url, DEMO.taxMarketer);
    const campaignId = await sendTaxTips(page, first.url, "Spring tips for the group", "Hello from every process.");
    await expect.poll(() => page.getByText("Sending has started.").count()).toBe(1);

    // The workers send it; no web process does (CAMPAIGN_SENDER=off).
    await untilSent(campaignId);
    const listed = await client.delivery.count({ where: { campaignId } });
    expect(listed).toBeGreaterThanOrEqual(AUDIENCE_ADDED);
    expect(await client.delivery.count({ where: { campaignId, status: "SENT" } })).toBe(listed);
    const received = workers.flatMap((w) => w.sink.received);
    // Once to each person: as many messages as deliveries, each to a different address.
    expect(received.length).toBe(listed);
    expect(new Set(received.map((m) => m.to)).size).toBe(listed);
    if (testsOnPostgresql) {
      // On PostgreSQL both workers send one campaign together (ADR 040); SQLite keeps one sender per campaign.
      for (const worker of workers) expect(worker.sink.received.length, worker.output()).toBeGreaterThan(0);
    }

    // A mailbox provider's one-click (RFC 8058), posted to the other web process.
    const message = received.find((m) => m.to === "group-7@example.org")!;
    const receivedBefore = workers.map((w) => w.sink.received.length);
    const [listUnsubscribe] = await headerValues(message.raw, "List-Unsubscribe");
    const link = new URL(/^<(https?:\/\/[^>]+)>/.exec(listUnsubscribe)![1]);
    const oneClick = await fetch(`${second.url}${link.pathname}${link.search}`, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }) });
    expect(oneClick.status).toBe(200);

    // The next campaign, from the second web process, reaches everyone but that person.
    await untilSent(await sendTaxTips(page, second.url, "Summer tips for the group", "Hello again."));
    // Each worker's own new messages: on PostgreSQL both send, so a slice of the joined lists would mix the campaigns.
    const next = workers.flatMap((w, i) => w.sink.received.slice(receivedBefore[i]));
    expect(next.length).toBe(listed - 1);
    expect(next.some((m) => m.to === "group-7@example.org")).toBe(false);
  });
});
