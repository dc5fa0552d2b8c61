import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import net from "node:net";
import { spawn, type ChildProcess } from "node:child_process";
import { TEST_TMP } from "./paths.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

export type RunningApp = {
  url: string;
  /** The app's DATABASE_URL (SQLite file or PostgreSQL database). */
  databaseUrl: string;
  /** The SQLite file; null when the tests run on PostgreSQL. */
  databaseFile: string | null;
  outboxDir: string; output: () => string; stop: () => Promise<void> };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/**
 * Starts the production build exactly as `npm start` does, on a free port, with a private copy
 * of the migrated base database (seeded with the demo group unless told otherwise).
 */
export async function startApp(options: { env?: Record<string, string>; /** Shared with other apps (the caller drops it); default: a database of its own. */ database?: TestDatabase } = {}): Promise<RunningApp> {
  const port = await freePort();
  const id = crypto.randomUUID();
  const ownDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase("app"));
  const outboxDir = path.join(TEST_TMP, `outbox-${id}`);
  const child: ChildProcess = spawn(path.resolve("node_modules/.bin/tsx"), ["scripts/start.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      DATABASE_URL: database.url,
      OUTBOX_DIR: outboxDir,
      MAIL_TRANSPORT: "outbox",
      // Apps started side by side would all claim port 2525: a test that needs it passes a free port.
      INBOUND_SMTP_PORT: "off",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The app did not start within 60 s:\n${output}`)), 60_000);
    child.stdout!.on("data", () => {
      if (output.includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`The app exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    databaseUrl: database.url,
    databaseFile: database.file,
    outboxDir,
    output: () => output,
    stop: async () => {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
      // A PostgreSQL database is dropped with its app; SQLite files go with the run's scratch folder.
      if (ownDatabase && database.file === null) await database.drop();
    },
  };
}
