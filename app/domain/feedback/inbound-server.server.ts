import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerError, type SMTPServerSession } from "smtp-server";
import { unitBounceDomain } from "~/domain/units/sender-facts.server.ts";
import { db } from "~/utils/db.server.ts";
import type { Env } from "~/utils/env.server.ts";
import { readOwnAddress, type OwnAddress } from "./addresses.server.ts";

// The inbound SMTP server: the MX of the units' bounce domains. It takes mail only for the
// addresses we own and decides everything during the dialogue: a refusal is an SMTP answer,
// never a bounce of its own (no backscatter), and an accepted message is always handed on.

/** One of our addresses a message was accepted for; postmaster is accepted for each bounce domain, as RFC 5321 requires. */
export type InboundRecipient = { address: string; own: OwnAddress | { kind: "postmaster"; domain: string } };

export type ReceivedMessage = {
  raw: Buffer;
  /** The envelope sender, "" for the null sender that bounces and reports use. */
  mailFrom: string;
  recipients: InboundRecipient[];
  receivedAt: Date;
};

/** Stores what came back; throws when it cannot (the sender is then told to retry). Returns one line for the log. */
export type ReceiveMessage = (message: ReceivedMessage) => Promise<string>;

export type InboundServerOptions = {
  port: number;
  host?: string;
  /** PEM certificate and key: with them the server offers STARTTLS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  receive: ReceiveMessage;
  /** One line per message and per refused recipient; the body is never logged. */
  log?: (line: string) => void;
  /** The name in the greeting, e.g. the MX host. */
  name?: string;
  maxClients?: number;
  socketTimeoutMs?: number;
};

export type InboundServer = { port: number; close(): Promise<void> };

/** Reports and bounces are small; a bounce that quotes a large original is cut by its sender. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
// A report goes to the one address it bounces from; more recipients than this is not a report.
const MAX_RECIPIENTS = 20;
const MAX_CLIENTS = 100;
const SOCKET_TIMEOUT_MS = 60_000;

export async function startInboundServer(options: InboundServerOptions): Promise<InboundServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const server = new SMTPServer({
    name: options.name ?? os.hostname(),
    banner: "feedback only: bounces, reports and unsubscribes for our own addresses",
    // Nobody logs in: this server relays nothing, so AUTH would only be an attack surface.
    authOptional: true,
    disabledCommands: options.tls ? ["AUTH"] : ["AUTH", "STARTTLS"],
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    size: MAX_MESSAGE_BYTES,
    rejectOversized: true,
    maxRecipients: MAX_RECIPIENTS,
    maxClients: options.maxClients ?? MAX_CLIENTS,
    socketTimeout: options.socketTimeoutMs ?? SOCKET_TIMEOUT_MS,
    closeTimeout: 5_000,
    hideENHANCEDSTATUSCODES: false,
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, session, callback) {
      ownRecipient(address.address).then(
        (recipient) => {
          if (recipient) {
            acceptedRecipients(session).set(recipient.address, recipient);
            return callback();
          }
          log(`inbound ${session.id} ${session.remoteAddress}: refused RCPT <${printable(address.address)}>: not one of our addresses`);
          callback(smtpError(550, "No such mailbox here: this server takes mail only for its own addresses"));
        },
        (error: Error) => {
          log(`inbound ${session.id}: could not check RCPT <${printable(address.address)}>: ${error.message}`);
          callback(smtpError(451, "Cannot check that address now, please try again later"));
        },
      );
    },
    onData(stream, session, callback) {
      const accepted = acceptedRecipients(session);
      const recipients = session.envelope.rcptTo.flatMap((rcpt) => accepted.get(rcpt.address.trim().toLowerCase()) ?? []);
      readMessage(stream).then(async (raw) => {
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        const about = `inbound ${session.id} ${session.remoteAddress} from <${printable(mailFrom)}> to ${recipients.map((r) => `<${r.address}>`).join(" ")}`;
        if (!raw) {
          log(`${about}: refused, larger than ${MAX_MESSAGE_BYTES} bytes`);
          return callback(smtpError(552, "Message too large"));
        }
        try {
          const outcome = await options.receive({ raw, mailFrom, recipients, receivedAt: new Date() });
          log(`${about} ${raw.length} bytes: ${outcome}`);
          callback(null, "Received");
        } catch (error) {
          log(`${about} ${raw.length} bytes: not stored, sender asked to retry: ${(error as Error).message}`);
          callback(smtpError(451, "Cannot store the message now, please try again later"));
        }
      }, callback);
    },
  });
  server.on("error", (error) => log(`inbound server: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** STARTTLS material from INBOUND_TLS_CERT / INBOUND_TLS_KEY (PEM files), when both are set. */
export function inboundTlsFromEnv(env: Pick<Env, "INBOUND_TLS_CERT" | "INBOUND_TLS_KEY">): InboundServerOptions["tls"] {
  if (!env.INBOUND_TLS_CERT || !env.INBOUND_TLS_KEY) return undefined;
  return { cert: fs.readFileSync(env.INBOUND_TLS_CERT), key: fs.readFileSync(env.INBOUND_TLS_KEY) };
}

/**
 * The recipient when the address is ours: a signed bounce or unsubscribe address, a feedback-loop
 * address or postmaster, at some unit's bounce domain. The signature is checked before any lookup.
 */
export async function ownRecipient(input: string): Promise<InboundRecipient | null> {
  const address = input.trim().toLowerCase();
  const at = address.lastIndexOf("@");
  if (at <= 0) return null;
  const domain = address.slice(at + 1);
  const own: InboundRecipient["own"] | null = address.slice(0, at) === "postmaster" ? { kind: "postmaster", domain } : readOwnAddress(address);
  if (!own || own.domain !== domain) return null;
  return (await isBounceDomain(domain)) ? { address, own } : null;
}

// Units change rarely: the set of bounce domains is read at most every 30 s, and again (at most
// once a second) when an address names a domain not in it, so a new unit's mail is taken at once.
const DOMAINS_FRESH_MS = 30_000;
const DOMAINS_RECHECK_MS = 1_000;
let bounceDomains: { domains: Set<string>; loadedAt: number } | null = null;
let loadingDomains: Promise<Set<string>> | null = null;

async function isBounceDomain(domain: string): Promise<boolean> {
  const age = bounceDomains ? Date.now() - bounceDomains.loadedAt : Infinity;
  if (bounceDomains && age < DOMAINS_FRESH_MS && (bounceDomains.domains.has(domain) || age < DOMAINS_RECHECK_MS)) {
    return bounceDomains.domains.has(domain);
  }
  return (await loadBounceDomains()).has(domain);
}

function loadBounceDomains(): Promise<Set<string>> {
  loadingDomains ??= db.businessUnit
    .findMany({ select: { bounceDomain: true, sendingDomain: true } })
    .then((units) => {
      const domains = new Set(units.map(unitBounceDomain));
      bounceDomains = { domains, loadedAt: Date.now() };
      return domains;
    })
    .finally(() => {
      loadingDomains = null;
    });
  return loadingDomains;
}

const recipientsOf = new WeakMap<SMTPServerSession["envelope"], Map<string, InboundRecipient>>();

/** What onRcptTo learnt about each accepted recipient, kept with the transaction's envelope (a new one per transaction). */
function acceptedRecipients(session: SMTPServerSession): Map<string, InboundRecipient> {
  let accepted = recipientsOf.get(session.envelope);
  if (!accepted) recipientsOf.set(session.envelope, (accepted = new Map()));
  return accepted;
}

/** The whole message, or null when it is over the limit (the rest is read and dropped, not kept). */
function readMessage(stream: SMTPServerDataStream): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_MESSAGE_BYTES) chunks.push(chunk);
    });
    stream.on("end", () => resolve(stream.sizeExceeded || bytes > MAX_MESSAGE_BYTES ? null : Buffer.concat(chunks, bytes)));
    stream.on("error", reject);
  });
}

function smtpError(responseCode: number, message: string): SMTPServerError {
  return Object.assign(new Error(message), { responseCode });
}

/** Addresses come from strangers: at most 200 printable characters in the log. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 200);
}
