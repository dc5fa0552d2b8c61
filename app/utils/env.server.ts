import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { BlockList, isIP } from "node:net";
import { z } from "zod";

// Configuration is read once, validated with Zod, and documented in .env.example.
// Every variable has a default so the demo runs with no .env at all.

const booleanFlag = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .default("")
  .transform((v) => v === "1" || v === "true" || v === "yes");

const SNS_TOPIC_ARN = /^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** An ECDSA P-256 public key given as base64 DER or PEM, as base64 DER; null when it is not one. */
function p256PublicKey(text: string): string | null {
  const base64 = text.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
  try {
    const key = crypto.createPublicKey({ key: Buffer.from(base64, "base64"), format: "der", type: "spki" });
    return key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1" ? base64 : null;
  } catch {
    return null;
  }
}

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    DATABASE_URL: z
      .string()
      .refine((url) => databaseProviderOf(url) !== null, "must be an SQLite file URL such as file:./var/dev.db, or a PostgreSQL URL such as postgresql://user:password@host:5432/preferences")
      .default("file:./var/dev.db"),
    // Connections each process keeps to PostgreSQL (web: this, plus 1 for the one-click writer
    // thread and 2 for staff pages' long reads; see docs/deploy.md for counting them against
    // max_connections). Unused on SQLite.
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
    PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://prefs.example.com" }).optional(),
    MAIL_TRANSPORT: z.enum(["outbox", "smtp"], { error: "must be outbox or smtp" }).default("outbox"),
    OUTBOX_DIR: z.string().min(1).default("var/outbox"),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/.+/, "must be an smtp:// or smtps:// URL")
      .optional(),
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    ADDRESS_HASH_KEY: z.string().min(32, "must be at least 32 characters").optional(),
    SKIP_DEMO_SEED: booleanFlag,
    // Campaign sending: one rate for all senders on this database, and messages in flight per sender.
    SEND_RATE_PER_SECOND: z.coerce.number().positive().max(100_000).default(100),
    SEND_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    // Where the web process writes one-click opt-outs: on a thread of its own (ADR 014), or in the
    // thread that answers HTTP. Measured on both databases: docs/decisions/014 and the README.
    ONE_CLICK_WRITER: z.enum(["thread", "main"], { error: "must be thread or main" }).default("thread"),
    // "off" when `npm run worker` processes do the sending instead of the web process.
    CAMPAIGN_SENDER: z.enum(["web", "off"], { error: "must be web or off" }).default("web"),
    // Local testing of real SMTP in production mode, with links to this machine.
    ALLOW_HTTP_PUBLIC_URL: booleanFlag,
    // The inbound SMTP server that hears bounces, complaints and mailto unsubscribes; "off" disables it in `npm start`.
    INBOUND_SMTP_PORT: z
      .union([z.literal("off"), z.coerce.number().int().min(1).max(65535)], { error: "must be a port number or off" })
      .default(2525),
    INBOUND_SMTP_HOST: z.string().min(1).default("0.0.0.0"),
    // PEM files; with both set the inbound server offers STARTTLS.
    INBOUND_TLS_CERT: z.string().min(1).optional(),
    INBOUND_TLS_KEY: z.string().min(1).optional(),
    // The host name the units' bounce domains publish as their MX (default: PUBLIC_URL's host).
    INBOUND_MX_HOST: z.string().min(1).optional(),
    // Soft bounces within this many days, with no delivery in between, that suppress promotional mail.
    SOFT_BOUNCE_LIMIT: z.coerce.number().int().min(1).max(100).default(3),
    SOFT_BOUNCE_DAYS: z.coerce.number().int().min(1).max(365).default(14),
    // Guard rails, as fractions: a unit warns at the first complaint rate and pauses its running
    // campaigns at the second (7 days), or when one campaign's hard-bounce rate passes the third.
    COMPLAINT_WARN_RATE: z.coerce.number().min(0).max(1).default(0.001),
    COMPLAINT_PAUSE_RATE: z.coerce.number().min(0).max(1).default(0.003),
    HARD_BOUNCE_PAUSE_RATE: z.coerce.number().min(0).max(1).default(0.05),
    // DNS servers for the sender-readiness checks (comma-separated ip[:port]); default: the system's.
    DNS_RESOLVER: z.string().min(1).optional(),
    // Provider events (POST /api/v1/events/<provider>): SNS topics whose SES notifications are
    // taken, and SendGrid's Event Webhook verification key. Unset: that provider's address is 404.
    SES_SNS_TOPIC_ARNS: z
      .string()
      .transform((value) => value.split(",").map((arn) => arn.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(SNS_TOPIC_ARN, "must be SNS topic ARNs such as arn:aws:sns:us-east-1:123456789012:ses-feedback, comma-separated")))
      .default([]),
    // SNS signing certificates kept here by file name are used without fetching them from AWS.
    SES_SNS_CERTIFICATE_DIR: z.string().min(1).optional(),
    SENDGRID_WEBHOOK_PUBLIC_KEY: z
      .string()
      .transform((value, ctx) => {
        const key = p256PublicKey(value);
        if (!key) ctx.addIssue({ code: "custom", message: "must be the Event Webhook's verification key (an ECDSA P-256 public key, base64 as SendGrid shows it)" });
        return key ?? value;
      })
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.INBOUND_TLS_CERT) !== Boolean(env.INBOUND_TLS_KEY)) {
      ctx.addIssue({ code: "custom", path: [env.INBOUND_TLS_CERT ? "INBOUND_TLS_KEY" : "INBOUND_TLS_CERT"], message: "is required with the other: STARTTLS needs both a certificate and its key" });
    }
    if (env.MAIL_TRANSPORT === "smtp" && !env.SMTP_URL) {
      ctx.addIssue({ code: "custom", path: ["SMTP_URL"], message: "is required when MAIL_TRANSPORT=smtp" });
    }
    const publicUrl = env.PUBLIC_URL ?? defaultPublicUrl(env.PORT);
    if (sendsRealMail(env) && !env.ALLOW_HTTP_PUBLIC_URL && publicUrlProblem(publicUrl)) {
      ctx.addIssue({
        code: "custom",
        path: ["PUBLIC_URL"],
        message:
          "must be an https URL that recipients can reach, not localhost or a loopback address, when NODE_ENV=production and MAIL_TRANSPORT=smtp " +
          `(ALLOW_HTTP_PUBLIC_URL=1 lifts this for local testing): every link in mail is made from it` +
          (env.PUBLIC_URL ? "" : `, and it is unset (links would point at ${publicUrl})`),
      });
    }
  });

const defaultPublicUrl = (port: number) => `http://localhost:${port}`;
const sendsRealMail = (env: { NODE_ENV: string; MAIL_TRANSPORT: string }) => env.NODE_ENV === "production" && env.MAIL_TRANSPORT === "smtp";

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("0.0.0.0", "ipv4");
LOOPBACK.addAddress("::1", "ipv6");
LOOPBACK.addAddress("::", "ipv6");
LOOPBACK.addSubnet("::ffff:127.0.0.0", 104, "ipv6");

/** Why links made from this URL would not work for a recipient (RFC 8058 one-click needs https), or null. */
function publicUrlProblem(url: string): string | null {
  const { protocol, hostname } = new URL(url);
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  const family = isIP(host);
  const local = host === "localhost" || host.endsWith(".localhost") || (family !== 0 && LOOPBACK.check(host, family === 4 ? "ipv4" : "ipv6"));
  return protocol !== "https:" || local ? "is not an https URL that recipients can reach" : null;
}

export type Env = z.infer<typeof EnvSchema> & {
  PUBLIC_URL: string;
  SESSION_SECRET: string;
  ADDRESS_HASH_KEY: string;
  /** Which database DATABASE_URL names. */
  databaseProvider: DatabaseProvider;
  /** Absolute path of the SQLite file named by DATABASE_URL; null on PostgreSQL. */
  databaseFile: string | null;
};

export type DatabaseProvider = "sqlite" | "postgresql";

/** The database a URL names by its scheme, or null when it names neither. */
export function databaseProviderOf(url: string): DatabaseProvider | null {
  if (/^file:.+/.test(url)) return "sqlite";
  try {
    const { protocol, hostname, pathname } = new URL(url);
    return (protocol === "postgresql:" || protocol === "postgres:") && hostname !== "" && pathname.length > 1 ? "postgresql" : null;
  } catch {
    return null;
  }
}

/** A value as an error message may show it: a URL's password (DATABASE_URL, SMTP_URL) never reaches the logs. */
function withoutPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^/]*@/i, "$1:***@");
}

export class ConfigError extends Error {
  name = "ConfigError";
}

/** Parses an environment; throws ConfigError with one line naming the first bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).map(([k, v]) => [k, v === "" ? undefined : v]));
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue.path[0] ?? "environment");
    const got = cleaned[name];
    throw new ConfigError(
      `Invalid configuration: ${name} ${issue.message}${got === undefined ? "" : ` (got "${withoutPassword(got)}")`}. See .env.example.`,
    );
  }
  const env = result.data;
  const databaseProvider = databaseProviderOf(env.DATABASE_URL)!;
  const databaseFile = databaseProvider === "sqlite" ? path.resolve(env.DATABASE_URL.slice("file:".length).split("?")[0]) : null;
  if (databaseFile === null && !(env.SESSION_SECRET && env.ADDRESS_HASH_KEY)) {
    // Several hosts share one PostgreSQL database: a secret generated on one would not match another's.
    const missing = env.SESSION_SECRET ? "ADDRESS_HASH_KEY" : "SESSION_SECRET";
    throw new ConfigError(`Invalid configuration: ${missing} is required with a PostgreSQL DATABASE_URL: every web process and worker must use the same one. See .env.example.`);
  }
  const secrets = env.SESSION_SECRET && env.ADDRESS_HASH_KEY ? null : localSecrets(path.dirname(databaseFile!));
  return {
    ...env,
    PUBLIC_URL: (env.PUBLIC_URL ?? defaultPublicUrl(env.PORT)).replace(/\/+$/, ""),
    SESSION_SECRET: env.SESSION_SECRET ?? secrets!.sessionSecret,
    ADDRESS_HASH_KEY: env.ADDRESS_HASH_KEY ?? secrets!.addressHashKey,
    databaseProvider,
    databaseFile,
  };
}

/**
 * Secrets generated once beside the database when none are configured, so a fresh demo is
 * secure without a .env and sessions and erasure hashes survive restarts.
 */
function localSecrets(dir: string): { sessionSecret: string; addressHashKey: string } {
  const file = path.join(dir, "secrets.json");
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    const secrets = {
      sessionSecret: crypto.randomBytes(32).toString("base64url"),
      addressHashKey: crypto.randomBytes(32).toString("base64url"),
    };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
    return secrets;
  }
}

/** The one line start-up prints when ALLOW_HTTP_PUBLIC_URL=1 let a URL through that mail should not carry. */
export function publicUrlWarning(env: Env): string | null {
  const problem = sendsRealMail(env) && env.ALLOW_HTTP_PUBLIC_URL ? publicUrlProblem(env.PUBLIC_URL) : null;
  return problem ? `ALLOW_HTTP_PUBLIC_URL=1: mail goes out with links to ${env.PUBLIC_URL}, which ${problem}.` : null;
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
