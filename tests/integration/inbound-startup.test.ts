import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { unitBounceDomain } from "~/domain/units/sender-facts.server.ts";
import { startApp } from "../helpers/app-server.ts";
import { createUnit } from "../helpers/fixtures.ts";
import { openAppDatabase } from "../helpers/app-database.ts";
import { inboundClient } from "../helpers/inbound-client.ts";

// How the inbound server is run: alone (`npm run inbound`) and inside `npm start`.

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function sendToPostmaster(port: number, bounceDomain: string) {
  const client = inboundClient(port);
  try {
    return await client.send({ from: "someone@example.org", to: [`postmaster@${bounceDomain}`] }, "Subject: hello\r\n\r\nHello postmaster.\r\n");
  } finally {
    client.close();
  }
}

describe("npm run inbound", () => {
  it("serves SMTP on INBOUND_SMTP_PORT, stores what it accepts, and stops on SIGTERM with exit 0", async () => {
    const unit = await createUnit();
    const port = await freePort();
    const script = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts.inbound;
    const [, ...args] = script.split(/\s+/);
    const child = spawn(path.resolve("node_modules/.bin/tsx"), args, {
      env: { ...process.env, INBOUND_SMTP_PORT: String(port), INBOUND_SMTP_HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      for (const deadline = Date.now() + 30_000; !output.includes("Inbound SMTP server listening"); await new Promise((r) => setTimeout(r, 50))) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm run inbound did not start:\n${output}`);
      }
      expect((await sendToPostmaster(port, unitBounceDomain(unit))).response).toMatch(/^250 /);
      expect(await db.inboundMessage.findFirst({ where: { rcptTo: `postmaster@${unitBounceDomain(unit)}` } })).toMatchObject({ kind: "IGNORED" });
      expect(output).toMatch(/inbound \S+ 127\.0\.0\.1 from <someone@example\.org> to <postmaster@[^>]+> \d+ bytes: IGNORED/);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});

describe("npm start", () => {
  // Starting the production build takes several seconds on a busy machine.
  it("runs the inbound server too on INBOUND_SMTP_PORT", { timeout: 90_000 }, async () => {
    const port = await freePort();
    const app = await startApp({ env: { INBOUND_SMTP_PORT: String(port), INBOUND_SMTP_HOST: "127.0.0.1" } });
    const appDb = openAppDatabase(app);
    try {
      expect(app.output()).toContain(`Inbound SMTP server listening on 127.0.0.1:${port}`);
      const unit = await appDb.db.businessUnit.findFirstOrThrow({ orderBy: { id: "asc" }, select: { bounceDomain: true, sendingDomain: true } });
      expect((await sendToPostmaster(port, unitBounceDomain(unit))).response).toMatch(/^250 /);
      expect(await appDb.db.inboundMessage.findMany({ select: { kind: true } })).toEqual([{ kind: "IGNORED" }]);
    } finally {
      await appDb.close();
      await app.stop();
    }
  });

  it("does not run it when INBOUND_SMTP_PORT is off", { timeout: 90_000 }, async () => {
    const off = await startApp({ env: { INBOUND_SMTP_PORT: "off" } });
    try {
      expect(off.output()).not.toContain("Inbound SMTP server listening");
    } finally {
      await off.stop();
    }
  });
});
