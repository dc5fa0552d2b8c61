import crypto from "node:crypto";
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import { dkimDnsRecord, keyFingerprint, publicKeyOfRecord, signSampleMessage, verifyDkim } from "~/domain/mail/dkim.server.ts";
import { nothingFound } from "~/domain/not-found.ts";
import { db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { unitBounceDomain } from "./sender-facts.server.ts";
import { bounceDomainAlignment } from "./unit-settings.server.ts";

// What a unit's domains must publish in DNS for its mail to be accepted and its bounces to come
// back (DKIM key, SPF, DMARC, the bounce domain's MX), and whether DNS holds it: each record
// found, missing or wrong, looked up when an admin asks, never failing the page.

/** How many milliseconds one DNS question waits before it is asked again, and how often it is asked. */
const DNS_TIMEOUT_MS = 800;
const DNS_TRIES = 2;
/** However the resolver behaves, a check answers within this. */
const CHECK_DEADLINE_MS = 5_000;

export type SenderDnsKey = "dkim" | "spf" | "bounce-spf" | "dmarc" | "bounce-mx";

/** A record to publish, as a DNS provider's form asks for it and as a zone-file line. */
export type RecordToPublish = { name: string; type: "TXT" | "MX"; value: string; zoneLine: string };

export type SenderDnsRecord = {
  key: SenderDnsKey;
  /** What the record is for, in a few words: "DKIM key", "SPF of the sending domain". */
  label: string;
  /** The name looked up. */
  name: string;
  type: "TXT" | "MX";
  /** What to publish; null when the unit has nothing to publish yet (why: in `notSetUp`). */
  publish: RecordToPublish | null;
  /** What the admin must fill in themselves, when the record cannot be exact. */
  note?: string;
  notSetUp?: string;
};

export type DnsVerdict = "found" | "missing" | "wrong" | "could-not-check" | "not-set-up";
export type SenderDnsResult = { key: SenderDnsKey; verdict: DnsVerdict; message: string; seen: string[] };
export type SenderDnsReport = { checkedAt: string; resolver: string; results: SenderDnsResult[] };

/** The unit columns the records are made from. */
export type SenderDnsUnit = {
  fromName: string;
  fromEmail: string;
  sendingDomain: string;
  bounceDomain: string | null;
  dkimDomain: string | null;
  dkimSelector: string | null;
  dkimPrivateKey: string | null;
};

/** The host the units' bounce domains point their MX at: INBOUND_MX_HOST, else the public address's host. */
export function inboundMxHost(): string {
  const env = getEnv();
  return (env.INBOUND_MX_HOST ?? new URL(env.PUBLIC_URL).hostname).toLowerCase().replace(/\.$/, "");
}

/** A stored key's public half, or null when none is stored or it cannot be read. */
function storedPublicKey(unit: SenderDnsUnit): crypto.KeyObject | null {
  if (!unit.dkimPrivateKey) return null;
  try {
    return crypto.createPublicKey(crypto.createPrivateKey(unit.dkimPrivateKey));
  } catch {
    return null;
  }
}

const txt = (name: string, value: string): RecordToPublish => ({ name, type: "TXT", value, zoneLine: `${name}.  TXT  "${value}"` });
const SPF_TEMPLATE = "v=spf1 include:<your mail provider> -all";
const SPF_NOTE =
  "This product cannot know which servers send your mail: replace include:<your mail provider> with what your SMTP relay or email provider documents (for example include:amazonses.com, include:sendgrid.net or ip4:<your relay's address>).";

/** The records the unit's domains must publish, with the bounce domain, the MX host it points at, and whether SPF on it aligns with the From address. */
export function senderDnsRecords(unit: SenderDnsUnit) {
  const bounceDomain = unitBounceDomain(unit);
  const mxHost = inboundMxHost();
  const dkimDomain = (unit.dkimDomain || unit.sendingDomain).toLowerCase();
  const publicKey = storedPublicKey(unit);
  const dkimName = unit.dkimSelector ? `${unit.dkimSelector}._domainkey.${dkimDomain}` : `<selector>._domainkey.${dkimDomain}`;
  const dkim: SenderDnsRecord = {
    key: "dkim",
    label: "DKIM key",
    name: dkimName,
    type: "TXT",
    publish: null,
    notSetUp: !unit.dkimPrivateKey
      ? "No DKIM key is stored: mail goes out unsigned unless your SMTP relay signs it. Paste a private key and a selector in the settings to sign it here."
      : !publicKey
        ? "The stored DKIM key cannot be read: paste a new one in the settings."
        : !unit.dkimSelector
          ? "The stored key has no selector: enter it in the settings."
          : undefined,
  };
  if (publicKey && unit.dkimSelector) {
    const record = dkimDnsRecord(publicKey, unit.dkimSelector, dkimDomain);
    dkim.publish = { name: record.name, type: "TXT", value: record.value, zoneLine: record.zoneLine };
  }
  const records: SenderDnsRecord[] = [
    dkim,
    { key: "spf", label: "SPF of the sending domain", name: unit.sendingDomain, type: "TXT", publish: txt(unit.sendingDomain, SPF_TEMPLATE), note: SPF_NOTE },
  ];
  if (bounceDomain !== unit.sendingDomain.toLowerCase()) {
    records.push({
      key: "bounce-spf",
      label: "SPF of the bounce domain (the return path receivers check)",
      name: bounceDomain,
      type: "TXT",
      publish: txt(bounceDomain, SPF_TEMPLATE),
      note: `The return path of every message is on ${bounceDomain}, and that is the domain SPF checks. ${SPF_NOTE}`,
    });
  }
  records.push(
    {
      key: "dmarc",
      label: "DMARC policy",
      name: `_dmarc.${unit.sendingDomain}`,
      type: "TXT",
      publish: txt(`_dmarc.${unit.sendingDomain}`, "v=DMARC1; p=none"),
      note: "Start with p=none and add rua=mailto:<a mailbox of yours> to receive reports; move to p=quarantine, then p=reject, once the reports show all your mail passing. A DMARC record on the parent domain also covers this one.",
    },
    {
      key: "bounce-mx",
      label: "MX of the bounce domain",
      name: bounceDomain,
      type: "MX",
      publish: { name: bounceDomain, type: "MX", value: `10 ${mxHost}`, zoneLine: `${bounceDomain}.  MX  10 ${mxHost}.` },
    },
  );
  return { bounceDomain, mxHost, alignment: bounceDomainAlignment(bounceDomain, unit.fromEmail), records };
}

/** Looks up the unit's records (slug) and says what DNS holds; NotFoundError when the unit is unknown. */
export async function checkUnitSenderDns(slug: string, options: { servers?: string } = {}): Promise<SenderDnsReport> {
  const unit = await db.businessUnit.findUnique({ where: { slug } });
  if (!unit) nothingFound(`The unit “${slug}”`);
  return checkSenderDns(unit, options);
}

/**
 * Looks up every record senderDnsRecords names, at once, through the DNS servers in `servers`
 * (DNS_RESOLVER's form: comma-separated ip[:port]; default the system's). Never throws for DNS:
 * a lookup that fails says so as "could-not-check".
 */
export async function checkSenderDns(unit: SenderDnsUnit, options: { servers?: string } = {}): Promise<SenderDnsReport> {
  const { records, mxHost } = senderDnsRecords(unit);
  const checkedAt = new Date().toISOString();
  const configured = options.servers ?? getEnv().DNS_RESOLVER;
  const resolverName = configured === undefined ? "the system's DNS resolver" : `DNS server ${configured}`;
  const resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES });
  const servers = configured === undefined ? null : parseResolverServers(configured);
  let badSetting = servers instanceof Error ? servers : null;
  try {
    if (servers && !badSetting) resolver.setServers(servers as string[]);
  } catch (error) {
    badSetting = new Error(`DNS_RESOLVER is set to “${configured}”, which the resolver refuses (${(error as Error).message}): fix the setting, or unset it to use the system's resolver.`);
  }
  if (badSetting) {
    const message = badSetting.message;
    return { checkedAt, resolver: resolverName, results: records.map((r) => ({ key: r.key, verdict: r.notSetUp ? "not-set-up" : "could-not-check", message: r.notSetUp ?? message, seen: [] })) };
  }
  const deadline = setTimeout(() => resolver.cancel(), CHECK_DEADLINE_MS);
  try {
    const lookups = new DnsLookups(resolver, resolverName);
    const results = await Promise.all(
      records.map(async (record): Promise<SenderDnsResult> => {
        if (record.notSetUp) return { key: record.key, verdict: "not-set-up", message: record.notSetUp, seen: [] };
        try {
          switch (record.key) {
            case "dkim":
              return await checkDkim(lookups, unit, record);
            case "spf":
            case "bounce-spf":
              return checkSpf(record, await lookups.txt(record.name));
            case "dmarc":
              return await checkDmarc(lookups, unit.sendingDomain);
            case "bounce-mx":
              return checkMx(record, mxHost, await lookups.mx(record.name));
          }
        } catch (error) {
          // Whatever goes wrong in one check is that record's answer, never the page's failure.
          const message = error instanceof CouldNotCheck ? error.message : `Could not check: ${(error as Error).message}`;
          return { key: record.key, verdict: "could-not-check", message, seen: [] };
        }
      }),
    );
    return { checkedAt, resolver: resolverName, results };
  } finally {
    clearTimeout(deadline);
  }
}

/** "127.0.0.1:5353, [::1]:53, 9.9.9.9" as Resolver.setServers takes it, or an Error naming the bad entry. */
export function parseResolverServers(value: string): string[] | Error {
  const servers = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const server of servers) {
    const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(server);
    const v4 = /^([\d.]+)(?::(\d{1,5}))?$/.exec(server);
    const [host, port] = bracketed ? [bracketed[1], bracketed[2]] : v4 ? [v4[1], v4[2]] : [server, undefined];
    const family = isIP(host);
    if (family === 0 || (v4 && family !== 4) || (port !== undefined && (Number(port) < 1 || Number(port) > 65_535))) {
      return new Error(`DNS_RESOLVER is set to “${value}”, and “${server}” is not an IP address with an optional :port: fix the setting (or unset it to use the system's resolver), then check again.`);
    }
  }
  return servers.length > 0 ? servers : new Error(`DNS_RESOLVER is set but names no DNS server: set it to ip[:port], or unset it.`);
}

class CouldNotCheck extends Error {}

const WHY: Record<string, string> = {
  ETIMEOUT: "the DNS server did not answer in time",
  ECANCELLED: `no answer within ${CHECK_DEADLINE_MS / 1000} seconds`,
  ESERVFAIL: "the DNS server failed to answer (SERVFAIL)",
  EREFUSED: "the DNS server refused the question",
  ECONNREFUSED: "the DNS server could not be reached",
  EFORMERR: "the DNS server did not understand the question",
  EBADRESP: "the DNS server's answer could not be read",
};

/** TXT and MX lookups where "no such name" and "no such record" are an empty answer, and anything else is CouldNotCheck. */
class DnsLookups {
  constructor(
    private resolver: Resolver,
    private resolverName: string,
  ) {}

  /** Each TXT record with its strings joined, as DKIM, SPF and DMARC read them. */
  async txt(name: string): Promise<string[]> {
    return (await this.ask(name, "TXT", () => this.resolver.resolveTxt(name))).map((strings) => strings.join(""));
  }

  async mx(name: string): Promise<{ exchange: string; priority: number }[]> {
    return this.ask(name, "MX", () => this.resolver.resolveMx(name));
  }

  private async ask<T>(name: string, type: string, lookup: () => Promise<T[]>): Promise<T[]> {
    try {
      return await lookup();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (code === "ENOTFOUND" || code === "ENODATA") return [];
      throw new CouldNotCheck(`Could not check: ${WHY[code] ?? "the lookup failed"} (${code || (error as Error).message}) when asking ${this.resolverName} for the ${type} records of ${name}. Check again later.`);
    }
  }
}

const found = (key: SenderDnsKey, message: string, seen: string[]): SenderDnsResult => ({ key, verdict: "found", message, seen });
const missing = (key: SenderDnsKey, message: string, seen: string[] = []): SenderDnsResult => ({ key, verdict: "missing", message, seen });
const wrong = (key: SenderDnsKey, message: string, seen: string[]): SenderDnsResult => ({ key, verdict: "wrong", message, seen });

/**
 * The published key, checked as a receiver would: a sample signed with the stored key must
 * verify against what DNS holds at <selector>._domainkey.<domain>.
 */
async function checkDkim(lookups: DnsLookups, unit: SenderDnsUnit, record: SenderDnsRecord): Promise<SenderDnsResult> {
  const seen = await lookups.txt(record.name);
  if (seen.length === 0) return missing("dkim", `No TXT record at ${record.name}: publish the record below, or receivers cannot check the signature and DKIM fails.`);
  if (seen.length > 1) return wrong("dkim", `${seen.length} TXT records at ${record.name}: receivers may read any of them. Keep only the one below.`, seen);
  const [published] = seen;
  const domainName = (unit.dkimDomain || unit.sendingDomain).toLowerCase();
  const selector = unit.dkimSelector!;
  const sample = await signSampleMessage({ name: unit.fromName, address: unit.fromEmail }, { domainName, keySelector: selector, privateKey: unit.dkimPrivateKey! }, `${getEnv().PUBLIC_URL}/u/dkim-check`);
  const result = await verifyDkim(sample, (s, d) => (s === selector && d === domainName ? published : null));
  if (result.pass) return found("dkim", `Found: a sample signed with the stored key verifies against the key published at ${record.name}.`, seen);
  if (result.reason === "signature-mismatch") {
    const inDns = publicKeyOfRecord(published);
    const stored = storedPublicKey(unit);
    return wrong(
      "dkim",
      `Key mismatch: ${record.name} publishes another public key${inDns && stored ? ` (${keyFingerprint(inDns)}; the stored key's is ${keyFingerprint(stored)})` : ""}, so receivers reject the signature. Replace the record with the one below, or store the private key that belongs to the published one.`,
      seen,
    );
  }
  return wrong("dkim", `The record at ${record.name} is not a usable key: ${result.message} Replace it with the one below.`, seen);
}

const SPF_TERM = /^[+?~-]?(?:all|include:\S+|a(?::\S+)?|mx(?::\S+)?|ptr(?::\S+)?|ip4:\S+|ip6:\S+|exists:\S+)$|^[a-z][a-z0-9_.-]*=\S*$/i;

/** One v=spf1 record (RFC 7208): two are a permanent error, and +all lets anyone send as the domain. */
function checkSpf(record: SenderDnsRecord, txt: string[]): SenderDnsResult {
  const seen = txt.filter((value) => /^v=spf1(?:\s|$)/i.test(value.trim()));
  const domain = record.name;
  if (seen.length === 0) return missing(record.key, `No SPF record (v=spf1) on ${domain}: receivers cannot tell which servers may send as ${domain}. Publish one like the record below.`, txt);
  if (seen.length > 1) return wrong(record.key, `${seen.length} SPF records on ${domain}: receivers treat more than one as a permanent error, so SPF fails. Merge them into one.`, seen);
  const terms = seen[0].trim().split(/\s+/).slice(1);
  const bad = terms.find((term) => !SPF_TERM.test(term));
  if (bad) return wrong(record.key, `The SPF record on ${domain} has “${bad}”, which is not an SPF mechanism or modifier: receivers treat it as a permanent error. Fix that term.`, seen);
  const all = terms.find((term) => /^[+?~-]?all$/i.test(term));
  if (all && (all.toLowerCase() === "all" || all.startsWith("+"))) {
    return wrong(record.key, `The SPF record on ${domain} ends in ${all}: it lets any server in the world send as ${domain}. End it with -all (or ~all).`, seen);
  }
  return found(record.key, `Found on ${domain}.`, seen);
}

/** The sending domain's DMARC record, or its nearest parent's (a tree walk, as DMARCbis does without the public suffix list). */
async function checkDmarc(lookups: DnsLookups, sendingDomain: string): Promise<SenderDnsResult> {
  const labels = sendingDomain.toLowerCase().split(".");
  for (let i = 0; i <= labels.length - 2; i++) {
    const domain = labels.slice(i).join(".");
    const name = `_dmarc.${domain}`;
    const txt = await lookups.txt(name);
    const seen = txt.filter((value) => /^v=DMARC1\s*(?:;|$)/.test(value.trim()));
    if (seen.length === 0 && txt.length > 0 && i === 0) {
      return wrong("dmarc", `The TXT record at ${name} does not start with v=DMARC1 (exactly so), so receivers ignore it. Replace it with the record below.`, txt);
    }
    if (seen.length === 0) continue;
    const where = i === 0 ? name : `${name} (the parent domain's record, which covers ${sendingDomain})`;
    if (seen.length > 1) return wrong("dmarc", `${seen.length} DMARC records at ${where}: receivers then apply none. Keep only one.`, seen);
    const tags = new Map<string, string>();
    for (const part of seen[0].split(";")) {
      const [tag, ...rest] = part.split("=");
      if (tag.trim()) tags.set(tag.trim().toLowerCase(), rest.join("=").trim());
    }
    const policy = (i === 0 ? undefined : tags.get("sp")) ?? tags.get("p");
    if (!tags.has("p")) return wrong("dmarc", `The DMARC record at ${where} has no p= policy, so receivers ignore it. Add p=none (or quarantine, or reject).`, seen);
    if (!["none", "quarantine", "reject"].includes((policy ?? "").toLowerCase())) {
      return wrong("dmarc", `The DMARC record at ${where} has the policy “${policy}”; it must be none, quarantine or reject.`, seen);
    }
    const monitoring = policy!.toLowerCase() === "none" ? " Mail that fails is still delivered (monitoring only)." : "";
    return found("dmarc", `Found at ${where}: p=${policy!.toLowerCase()}.${monitoring}`, seen);
  }
  return missing("dmarc", `No DMARC record at _dmarc.${sendingDomain} or a parent domain: Gmail and Yahoo ask bulk senders for one. Publish the record below.`);
}

/** The bounce domain's MX must lead to the inbound server, or bounces and complaints never come back. */
function checkMx(record: SenderDnsRecord, mxHost: string, answers: { exchange: string; priority: number }[]): SenderDnsResult {
  const seen = answers.sort((a, b) => a.priority - b.priority).map((mx) => `${mx.priority} ${mx.exchange}`);
  const hosts = answers.map((mx) => mx.exchange.toLowerCase().replace(/\.$/, ""));
  if (answers.length === 0) return missing("bounce-mx", `No MX record on ${record.name}: bounces, complaints and mailto unsubscribes sent there cannot reach ${mxHost}. Publish the record below.`);
  if (!hosts.includes(mxHost)) {
    return wrong("bounce-mx", `The MX of ${record.name} points at ${[...new Set(hosts)].join(", ")}, not at ${mxHost}: bounces and complaints go there and never reach this product. Replace it with the record below.`, seen);
  }
  const others = [...new Set(hosts.filter((host) => host !== mxHost))];
  return found("bounce-mx", `Found: ${record.name} receives its mail at ${mxHost}.${others.length > 0 ? ` It also lists ${others.join(", ")}: mail that goes there never reaches this product.` : ""}`, seen);
}
