import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "./env.server.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "env-"));
const database = `file:${path.join(dir, "app.db")}`;
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function errorFor(env: Record<string, string>): string {
  try {
    parseEnv({ DATABASE_URL: database, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a configuration error");
}

describe("configuration", () => {
  it("needs no variables at all: defaults, and secrets generated once and kept", () => {
    const env = parseEnv({ DATABASE_URL: database });
    expect(env).toMatchObject({ PORT: 3000, MAIL_TRANSPORT: "outbox", OUTBOX_DIR: "var/outbox", PUBLIC_URL: "http://localhost:3000", SKIP_DEMO_SEED: false });
    expect(env.SESSION_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(parseEnv({ DATABASE_URL: database }).SESSION_SECRET).toBe(env.SESSION_SECRET);
    expect(fs.statSync(path.join(dir, "secrets.json")).mode & 0o777).toBe(0o600);
  });

  it("takes explicit values and strips a trailing slash from PUBLIC_URL", () => {
    const env = parseEnv({
      DATABASE_URL: database,
      PORT: "8080",
      PUBLIC_URL: "https://prefs.example.com/",
      MAIL_TRANSPORT: "smtp",
      SMTP_URL: "smtp://mail.example.com:587",
      SKIP_DEMO_SEED: "1",
    });
    expect(env).toMatchObject({ PORT: 8080, PUBLIC_URL: "https://prefs.example.com", MAIL_TRANSPORT: "smtp", SKIP_DEMO_SEED: true });
  });

  it("names the variable in one line when a value is bad", () => {
    expect(errorFor({ PORT: "eighty" })).toMatch(/^Invalid configuration: PORT .*\(got "eighty"\)\. See \.env\.example\.$/);
    expect(errorFor({ DATABASE_URL: "postgres://x" })).toMatch(/^Invalid configuration: DATABASE_URL must be an SQLite file URL/);
    expect(errorFor({ MAIL_TRANSPORT: "carrier-pigeon" })).toMatch(/^Invalid configuration: MAIL_TRANSPORT must be outbox or smtp/);
    expect(errorFor({ MAIL_TRANSPORT: "smtp" })).toMatch(/^Invalid configuration: SMTP_URL is required when MAIL_TRANSPORT=smtp/);
    expect(errorFor({ PUBLIC_URL: "ftp://example.com" })).toMatch(/^Invalid configuration: PUBLIC_URL must be an http\(s\) URL/);
    expect(errorFor({ SESSION_SECRET: "short" })).toMatch(/^Invalid configuration: SESSION_SECRET must be at least 32 characters/);
    expect(errorFor({ SKIP_DEMO_SEED: "maybe" })).toMatch(/^Invalid configuration: SKIP_DEMO_SEED/);
    for (const message of [errorFor({ PORT: "0" }), errorFor({ SMTP_URL: "http://x" })]) expect(message).not.toContain("\n");
  });
});
