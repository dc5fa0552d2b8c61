import path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { startApp } from "../helpers/app-server.ts";
import { startSmtpSink } from "../helpers/smtp-sink.ts";

// `npm start` with bad configuration stops before doing anything, with one line naming the variable.
function start(env: Record<string, string>) {
  return spawnSync(path.resolve("node_modules/.bin/tsx"), ["scripts/start.ts"], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
}

// Real mail in production: the links it carries are made from PUBLIC_URL.
const PRODUCTION_SMTP = { NODE_ENV: "production", MAIL_TRANSPORT: "smtp", SMTP_URL: "smtp://127.0.0.1:1", ALLOW_HTTP_PUBLIC_URL: "" };

describe("start-up with bad configuration", () => {
  it.each([
    [{ PORT: "not-a-port" }, "PORT"],
    [{ MAIL_TRANSPORT: "smtp", SMTP_URL: "" }, "SMTP_URL"],
    [{ DATABASE_URL: "mysql://db" }, "DATABASE_URL"],
    [{ ...PRODUCTION_SMTP, PUBLIC_URL: "" }, "PUBLIC_URL"],
    [{ ...PRODUCTION_SMTP, PUBLIC_URL: "http://prefs.example.com" }, "PUBLIC_URL"],
    [{ ...PRODUCTION_SMTP, PUBLIC_URL: "https://localhost:3000" }, "PUBLIC_URL"],
  ])("%j stops with one line naming %s", (env, variable) => {
    const result = start(env);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(result.stdout).not.toContain("listening");
  });
});

describe("start-up with ALLOW_HTTP_PUBLIC_URL=1", () => {
  it("starts for real mail with local links, and says so in one line", async () => {
    const sink = await startSmtpSink();
    const app = await startApp({ env: { MAIL_TRANSPORT: "smtp", SMTP_URL: sink.url, PUBLIC_URL: "", ALLOW_HTTP_PUBLIC_URL: "1" } });
    try {
      const warnings = app.output().split("\n").filter((line) => line.startsWith("ALLOW_HTTP_PUBLIC_URL=1"));
      expect(warnings).toEqual([
        `ALLOW_HTTP_PUBLIC_URL=1: mail goes out with links to http://localhost:${new URL(app.url).port}, which is not an https URL that recipients can reach.`,
      ]);
    } finally {
      await app.stop();
      await sink.close();
    }
  }, 90_000);
});
