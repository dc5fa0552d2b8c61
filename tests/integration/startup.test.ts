import path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// `npm start` with bad configuration stops before doing anything, with one line naming the variable.
function start(env: Record<string, string>) {
  return spawnSync(path.resolve("node_modules/.bin/tsx"), ["scripts/start.ts"], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
}

describe("start-up with bad configuration", () => {
  it.each([
    [{ PORT: "not-a-port" }, "PORT"],
    [{ MAIL_TRANSPORT: "smtp", SMTP_URL: "" }, "SMTP_URL"],
    [{ DATABASE_URL: "mysql://db" }, "DATABASE_URL"],
  ])("%j stops with one line naming %s", (env, variable) => {
    const result = start(env);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(result.stdout).not.toContain("listening");
  });
});
