// `npm start`: validate configuration, apply pending migrations, seed an empty database with
// the demo group (unless SKIP_DEMO_SEED), then serve the production build.

import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import express from "express";
import Database from "better-sqlite3";
import type { ServerBuild } from "@remix-run/node";
import { clientIp, logRequest } from "./access-log.ts";
import { httpEdge, remixHandler, type BodyLimit } from "./http-edge.ts";
import { oneClickListener } from "./one-click-route.ts";
import { ConfigError, getEnv, publicUrlWarning, type Env } from "../app/utils/env.server.ts";
import { fileTooLarge, UPLOAD_LIMITS } from "../app/utils/upload-limits.ts";

function loadConfig(): Env {
  try {
    return getEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

process.env.NODE_ENV ??= "production";
const env = loadConfig();
const publicUrlLifted = publicUrlWarning(env);
if (publicUrlLifted) console.warn(publicUrlLifted);

const buildFile = path.resolve("build/index.js");
const oneClickWriterFile = path.resolve("build/one-click-writer-thread.js");
if (!fs.existsSync(buildFile) || !fs.existsSync(oneClickWriterFile)) {
  console.error("No production build found: run `npm run build` first.");
  process.exit(1);
}

if (env.databaseFile) fs.mkdirSync(path.dirname(env.databaseFile), { recursive: true });
{
  // Migrations only when some are pending (why: app/utils/migrations.server.ts).
  const { createDb } = await import("../app/utils/db.server.ts");
  const { pendingMigrations } = await import("../app/utils/migrations.server.ts");
  const probe = createDb(env.DATABASE_URL, { poolSize: 1 });
  const pending = await pendingMigrations(probe, env.databaseProvider);
  await probe.$disconnect();
  if (pending.length > 0) execFileSync(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], { stdio: ["ignore", "ignore", "inherit"] });
}
if (env.databaseFile) {
  // WAL lets the sender write while pages read; the setting is stored in the database file.
  const sqlite = new Database(env.databaseFile);
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
}

const { db, readDb } = await import("../app/utils/db.server.ts");
const { ensureSigningKey } = await import("../app/domain/tokens/keyring.server.ts");
const { isDatabaseEmpty, seedDemoData } = await import("../prisma/demo-data.ts");
if (!env.SKIP_DEMO_SEED && (await isDatabaseEmpty(db))) await seedDemoData(db);
await ensureSigningKey(db);
// What the product needs in any database, demo or not: the categories it sends its own mail
// under, and the consent wording the preference center shows.
await (await import("../app/domain/transactional/group-categories.server.ts")).ensureGroupCategories(db);
await (await import("../app/domain/consent/consent-texts.server.ts")).ensureConsentTexts(db);
// The planner's statistics, before the first request: the first start after an upgrade analyses, later ones find nothing to do.
await (await import("../app/utils/query-statistics.server.ts")).refreshQueryStatistics(db);
// Staff pages' long reads run on a thread of their own: started now (after the statistics, which a connection loads when it opens), so one that cannot start stops the start-up.
try {
  await readDb.$queryRaw`SELECT 1`;
} catch (error) {
  console.error(`The read thread for staff pages could not start: ${(error as Error).message}`);
  process.exit(1);
}

// A mail transport that cannot deliver is a configuration error: say so now, not at the first send.
const { createMailTransport } = await import("../app/domain/mail/transport.server.ts");
const mail = createMailTransport(env);
try {
  await mail.verify();
} catch (error) {
  console.error(`Mail transport "${env.MAIL_TRANSPORT}" is not usable: ${(error as Error).message}`);
  process.exit(1);
} finally {
  await mail.close();
}

const build = (await import(pathToFileURL(buildFile).href)) as ServerBuild;
const app = express();
app.disable("x-powered-by");
app.set("trust proxy", "loopback");
// Form posts are small; the import pages take a CSV file (and the form around it). The edge
// counts the bytes of every body it reads against these.
const FORM_BODY: BodyLimit = { bytes: 64 * 1024, tooLarge: "That request is too large." };
const UPLOADS = new Map<string, BodyLimit>(
  Object.values(UPLOAD_LIMITS).map((upload) => [upload.path, { bytes: upload.maxBytes + FORM_BODY.bytes, tooLarge: fileTooLarge(upload) }]),
);
// Email services post their events in batches: SendGrid's reach 768 KB, SNS messages 256 KB.
const PROVIDER_EVENTS: BodyLimit = { bytes: 1024 * 1024, tooLarge: "Event posts are limited to 1 MB." };
const bodyLimitFor = (path: string) => (path.startsWith("/api/v1/events/") ? PROVIDER_EVENTS : (UPLOADS.get(path) ?? FORM_BODY));

app.use((req, res, next) => {
  const startedAt = performance.now();
  res.on("finish", () => logRequest(clientIp(req), req.method, req.originalUrl, res.statusCode, startedAt));
  next();
});
// Cross-site form posts get a clear 403 (Remix's own check would answer them with a 500).
// "Origin: null" comes from sandboxed frames and data: pages, never from our own forms.
// Posts without an Origin come from non-browser clients (mailbox providers' one-click), which
// carry no cookies; SameSite=Lax keeps session cookies off cross-site posts anyway.
app.use((req, res, next) => {
  const origin = req.headers.origin;
  if (req.method === "GET" || req.method === "HEAD" || origin === undefined) return next();
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host;
  } catch {
    // unparseable: treated as foreign
  }
  if (originHost !== req.get("x-forwarded-host") && originHost !== req.get("host")) {
    res.status(403).type("text/plain").send("This form was sent from another site, so it was not accepted. Please use the page on our site.");
    return;
  }
  next();
});
app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));
const getLoadContext = (req: express.Request) => ({ ip: clientIp(req) ?? undefined });
app.all("*", remixHandler(build, getLoadContext));
// What escapes a handler (a malformed path for the static files, a bug) gets a plain answer, not Express's page.
app.use((error: { status?: unknown; statusCode?: unknown }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  const status = Number(error.status ?? error.statusCode);
  const clientError = status >= 400 && status < 500;
  if (!clientError) console.error(error);
  if (res.headersSent) return void res.destroy();
  res.status(clientError ? status : 500).type("text/plain").send(clientError ? "That address could not be read." : "Something went wrong on our side. Please try again in a moment.");
});

// The inbound SMTP server (bounces, complaints, mailto unsubscribes) runs here too unless INBOUND_SMTP_PORT=off.
const { startConfiguredInboundServer } = await import("../app/domain/feedback/inbound-server-env.server.ts");
const inbound = await startConfiguredInboundServer(env).catch((error: Error) => {
  console.error(`The inbound SMTP server could not start on port ${env.INBOUND_SMTP_PORT}: ${error.message} (set INBOUND_SMTP_PORT to a free port, or off)`);
  process.exit(1);
});
if (inbound) console.log(`Inbound SMTP server listening on ${env.INBOUND_SMTP_HOST}:${inbound.port}`);

let shuttingDown = false;
const edge = httpEdge(
  { bodyLimitFor, https: env.PUBLIC_URL.startsWith("https:"), closing: () => shuttingDown },
  oneClickListener(build, app, env.ONE_CLICK_WRITER === "thread" ? oneClickWriterFile : null),
);
const server = http.createServer(edge).listen(env.PORT, () => {
  console.log(`Preference Center listening on http://localhost:${env.PORT} (public URL ${env.PUBLIC_URL}, mail: ${env.MAIL_TRANSPORT})`);
});
// Idle connections outlive a proxy's (load balancers commonly keep theirs 60 s): else the server
// closes one the proxy is about to reuse and its request fails. Headers get a little longer.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

// Background work runs inside the web process: retries of service mail that could not be sent at once.
const { startTransactionalQueue } = await import("../app/domain/transactional/queue.server.ts");
const stopTransactionalQueue = startTransactionalQueue();
// Campaigns are sent from here too unless `npm run worker` processes do it (CAMPAIGN_SENDER=off).
const { startCampaignSender } = await import("../app/domain/campaigns/worker.server.ts");
const campaignSender = env.CAMPAIGN_SENDER === "web" ? startCampaignSender() : null;

const { flushSignatureCounts } = await import("../app/domain/tokens/signature-counts.server.ts");

function shutdown() {
  shuttingDown = true;
  stopTransactionalQueue();
  void campaignSender?.stop();
  void inbound?.close();
  // Signature counts are written every few seconds; the last ones are written on the way out.
  server.close(() =>
    void flushSignatureCounts()
      .catch((error) => console.error(`Signature counts not written: ${(error as Error).message}`))
      .finally(() => process.exit(0)),
  );
  // Kept-alive connections wait a minute for a next request: close the waiting ones now, and
  // those with a request in flight once answered (answers from now on say Connection: close).
  server.closeIdleConnections();
  setInterval(() => server.closeIdleConnections(), 200).unref();
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
