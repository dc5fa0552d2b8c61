import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, parseEnv, publicUrlWarning } from "./env.server.ts";

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

  describe("a PostgreSQL database", () => {
    const secrets = { SESSION_SECRET: "s".repeat(32), ADDRESS_HASH_KEY: "k".repeat(32) };

    it("is taken from a postgresql:// or postgres:// URL, with the pool size, and no file", () => {
      for (const url of ["postgresql://prefs:pw@db.example.com:5432/preferences", "postgres://db.example.com/preferences?sslmode=require"]) {
        const env = parseEnv({ ...secrets, DATABASE_URL: url });
        expect(env).toMatchObject({ DATABASE_URL: url, databaseProvider: "postgresql", databaseFile: null, DATABASE_POOL_SIZE: 10 });
      }
      expect(parseEnv({ ...secrets, DATABASE_URL: "postgresql://db.example.com/p", DATABASE_POOL_SIZE: "25" }).DATABASE_POOL_SIZE).toBe(25);
      expect(parseEnv({ DATABASE_URL: database })).toMatchObject({ databaseProvider: "sqlite", databaseFile: path.join(dir, "app.db") });
      expect(errorFor({ ...secrets, DATABASE_URL: "postgresql://db.example.com/p", DATABASE_POOL_SIZE: "0" })).toMatch(/^Invalid configuration: DATABASE_POOL_SIZE /);
    });

    it("needs SESSION_SECRET and ADDRESS_HASH_KEY set: every host must share them, none is generated", () => {
      const url = "postgresql://db.example.com/preferences";
      expect(errorFor({ DATABASE_URL: url })).toMatch(/^Invalid configuration: SESSION_SECRET is required with a PostgreSQL DATABASE_URL/);
      expect(errorFor({ DATABASE_URL: url, SESSION_SECRET: secrets.SESSION_SECRET })).toMatch(/^Invalid configuration: ADDRESS_HASH_KEY is required with a PostgreSQL DATABASE_URL/);
      expect(errorFor({ DATABASE_URL: url, ADDRESS_HASH_KEY: secrets.ADDRESS_HASH_KEY })).toMatch(/^Invalid configuration: SESSION_SECRET is required/);
    });

    it("refuses a URL that names no database it can use, saying what it takes, and never shows the password", () => {
      for (const url of ["postgresql://db.example.com", "postgresql:///preferences", "postgresql://", "mysql://db.example.com/preferences", "./var/dev.db", "file:", "not a url"]) {
        expect(errorFor({ DATABASE_URL: url }), url).toMatch(
          /^Invalid configuration: DATABASE_URL must be an SQLite file URL such as file:\.\/var\/dev\.db, or a PostgreSQL URL such as postgresql:\/\/user:password@host:5432\/preferences \(got ".*"\)\. See \.env\.example\.$/,
        );
      }
      const message = errorFor({ DATABASE_URL: "postgresql://prefs:Sup3r$ecret@db.example.com" });
      expect(message).toContain('(got "postgresql://prefs:***@db.example.com")');
      expect(message).not.toContain("Sup3r");
    });
  });

  describe("production mail needs links that work for recipients", () => {
    const productionSmtp = { NODE_ENV: "production", MAIL_TRANSPORT: "smtp", SMTP_URL: "smtp://mail.example.com:587" };

    it.each([
      ["unset (http://localhost:3000)", undefined],
      ["http", "http://prefs.example.com"],
      ["localhost over https", "https://localhost"],
      ["a localhost subdomain", "https://prefs.localhost:8443"],
      ["loopback IPv4", "https://127.0.0.1"],
      ["loopback IPv6", "https://[::1]:3000"],
      ["the unspecified address", "https://0.0.0.0"],
    ])("stops with one line naming PUBLIC_URL when it is %s", (_name, publicUrl) => {
      const message = errorFor({ ...productionSmtp, ...(publicUrl ? { PUBLIC_URL: publicUrl } : {}) });
      expect(message).toMatch(/^Invalid configuration: PUBLIC_URL must be an https URL that recipients can reach/);
      expect(message).toContain("ALLOW_HTTP_PUBLIC_URL=1");
      expect(message).not.toContain("\n");
    });

    it("takes a public https URL", () => {
      expect(parseEnv({ DATABASE_URL: database, ...productionSmtp, PUBLIC_URL: "https://prefs.example.com" }).PUBLIC_URL).toBe("https://prefs.example.com");
    });

    it("lets ALLOW_HTTP_PUBLIC_URL=1 lift the check, and says what it lifted", () => {
      const env = parseEnv({ DATABASE_URL: database, ...productionSmtp, ALLOW_HTTP_PUBLIC_URL: "1" });
      expect(env.PUBLIC_URL).toBe("http://localhost:3000");
      expect(publicUrlWarning(env)).toBe(
        "ALLOW_HTTP_PUBLIC_URL=1: mail goes out with links to http://localhost:3000, which is not an https URL that recipients can reach.",
      );
      expect(publicUrlWarning(parseEnv({ DATABASE_URL: database, ...productionSmtp, PUBLIC_URL: "https://prefs.example.com", ALLOW_HTTP_PUBLIC_URL: "1" }))).toBeNull();
    });

    it("leaves the outbox and development alone", () => {
      expect(() => parseEnv({ DATABASE_URL: database, NODE_ENV: "production", MAIL_TRANSPORT: "outbox" })).not.toThrow();
      expect(() => parseEnv({ DATABASE_URL: database, ...productionSmtp, NODE_ENV: "development" })).not.toThrow();
      expect(publicUrlWarning(parseEnv({ DATABASE_URL: database, NODE_ENV: "production" }))).toBeNull();
    });
  });

  describe("provider events", () => {
    const ecKey = (curve: string) => crypto.generateKeyPairSync("ec", { namedCurve: curve }).publicKey;

    it("are off by default: no SNS topics, no SendGrid key", () => {
      const env = parseEnv({ DATABASE_URL: database });
      expect([env.SES_SNS_TOPIC_ARNS, env.SENDGRID_WEBHOOK_PUBLIC_KEY]).toEqual([[], undefined]);
    });

    it("take SNS topic ARNs, comma-separated, and refuse anything else naming the variable", () => {
      const arns = "arn:aws:sns:us-east-1:123456789012:ses-feedback, arn:aws-cn:sns:cn-north-1:123456789012:ses.fifo-no,arn:aws:sns:eu-west-1:123456789012:b";
      expect(() => parseEnv({ DATABASE_URL: database, SES_SNS_TOPIC_ARNS: arns })).toThrow(/SES_SNS_TOPIC_ARNS must be SNS topic ARNs/);
      expect(parseEnv({ DATABASE_URL: database, SES_SNS_TOPIC_ARNS: "arn:aws:sns:us-east-1:123456789012:ses-feedback, arn:aws:sns:eu-west-1:123456789012:b" }).SES_SNS_TOPIC_ARNS).toEqual([
        "arn:aws:sns:us-east-1:123456789012:ses-feedback",
        "arn:aws:sns:eu-west-1:123456789012:b",
      ]);
      expect(errorFor({ SES_SNS_TOPIC_ARNS: "ses-feedback" })).toMatch(/^Invalid configuration: SES_SNS_TOPIC_ARNS must be SNS topic ARNs/);
      expect(errorFor({ SES_SNS_TOPIC_ARNS: "arn:aws:sqs:us-east-1:123456789012:queue" })).toMatch(/SES_SNS_TOPIC_ARNS/);
    });

    it("take SendGrid's verification key as SendGrid shows it (base64) or as PEM, and refuse keys that are not ECDSA P-256", () => {
      const key = ecKey("prime256v1");
      const base64 = key.export({ type: "spki", format: "der" }).toString("base64");
      expect(parseEnv({ DATABASE_URL: database, SENDGRID_WEBHOOK_PUBLIC_KEY: base64 }).SENDGRID_WEBHOOK_PUBLIC_KEY).toBe(base64);
      expect(parseEnv({ DATABASE_URL: database, SENDGRID_WEBHOOK_PUBLIC_KEY: key.export({ type: "spki", format: "pem" }) as string }).SENDGRID_WEBHOOK_PUBLIC_KEY).toBe(base64);
      const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "der" }).toString("base64");
      for (const bad of [rsa, ecKey("secp384r1").export({ type: "spki", format: "der" }).toString("base64"), "not a key"]) {
        expect(errorFor({ SENDGRID_WEBHOOK_PUBLIC_KEY: bad })).toMatch(/^Invalid configuration: SENDGRID_WEBHOOK_PUBLIC_KEY must be the Event Webhook's verification key/);
      }
    });
  });
});
