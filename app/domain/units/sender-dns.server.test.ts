import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { dkimDnsRecord } from "~/domain/mail/dkim.server.ts";
import { senderZone, startDnsServer, startSilentDnsServer, type TestDnsServer, type ZoneRecords } from "../../../tests/helpers/dns-server.ts";
import { checkSenderDns, parseResolverServers, senderDnsRecords, type SenderDnsUnit, type SenderDnsKey } from "./sender-dns.server.ts";

// Sender readiness from DNS, against a DNS server on loopback that serves each test's records:
// every record found, missing or wrong as a receiver would judge it, and a resolver that fails
// or never answers shown as "could not check", within seconds.

vi.hoisted(() => {
  process.env.INBOUND_MX_HOST = "mx.prefs.example.net";
});

const pem = (key: crypto.KeyObject) => key.export({ type: "pkcs8", format: "pem" }).toString();
const KEY_A = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const KEY_B = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const dkimValue = (key: crypto.KeyObject) => dkimDnsRecord(key, "pc2026", "x").value;

function unit(domain: string, changes: Partial<SenderDnsUnit> = {}): SenderDnsUnit {
  return { fromName: "Acme", fromEmail: `news@${domain}`, sendingDomain: domain, bounceDomain: null, dkimDomain: null, dkimSelector: "pc2026", dkimPrivateKey: pem(KEY_A.privateKey), ...changes };
}

const MX_HOST = "mx.prefs.example.net";
const domainZone = (domain: string, key: crypto.KeyObject, changes: Record<string, ZoneRecords | undefined> = {}) => senderZone(domain, dkimValue(key), MX_HOST, changes);

let dns: TestDnsServer;
beforeAll(async () => {
  dns = await startDnsServer({
    ...domainZone("garden.example.com", KEY_A.publicKey),
    ...domainZone("mismatch.example.com", KEY_B.publicKey),
    ...domainZone("twospf.example.com", KEY_A.publicKey, { "twospf.example.com": { TXT: ["v=spf1 include:_spf.mailer.example.net -all", "v=spf1 ip4:192.0.2.10 -all"] } }),
    ...domainZone("nodmarc.example.com", KEY_A.publicKey, { "_dmarc.nodmarc.example.com": undefined }),
    ...domainZone("elsewhere.example.com", KEY_A.publicKey, { "bounces.elsewhere.example.com": { TXT: ["v=spf1 -all"], MX: [{ exchange: "mx1.other-provider.example", priority: 5 }] } }),
    ...domainZone("loose.example.com", KEY_A.publicKey, {
      "loose.example.com": { TXT: ["v=spf1 include:_spf.mailer.example.net +all"] },
      "pc2026._domainkey.loose.example.com": { TXT: ["v=DKIM1; k=rsa; p=not-a-key"] },
      "_dmarc.loose.example.com": { TXT: ["v=DMARC1; rua=mailto:dmarc@example.com"] },
      "bounces.loose.example.com": undefined,
    }),
    // A subdomain without its own DMARC record is covered by its parent's, whose sp= applies.
    ...domainZone("shop.example.org", KEY_A.publicKey, { "_dmarc.shop.example.org": undefined }),
    "_dmarc.example.org": { TXT: ["v=DMARC1; p=reject; sp=quarantine"] },
    ...domainZone("broken.example.com", KEY_A.publicKey, { "pc2026._domainkey.broken.example.com": { SERVFAIL: true } }),
  });
});
afterAll(() => dns?.stop());

async function check(domain: string, changes: Partial<SenderDnsUnit> = {}) {
  const report = await checkSenderDns(unit(domain, changes), { servers: dns.address });
  return Object.fromEntries(report.results.map((r) => [r.key, r])) as Record<SenderDnsKey, (typeof report.results)[number]>;
}
const verdicts = (results: Record<string, { verdict: string }>) => Object.fromEntries(Object.entries(results).map(([key, r]) => [key, r.verdict]));

describe("the records a unit publishes", () => {
  it("names the DKIM key from the stored private key, SPF for both domains, DMARC and the bounce domain's MX at the inbound host", () => {
    const { bounceDomain, mxHost, records } = senderDnsRecords(unit("garden.example.com"));
    expect([bounceDomain, mxHost]).toEqual(["bounces.garden.example.com", "mx.prefs.example.net"]);
    expect(records.map((r) => [r.key, r.type, r.name, r.publish?.value])).toEqual([
      ["dkim", "TXT", "pc2026._domainkey.garden.example.com", dkimValue(KEY_A.publicKey)],
      ["spf", "TXT", "garden.example.com", "v=spf1 include:<your mail provider> -all"],
      ["bounce-spf", "TXT", "bounces.garden.example.com", "v=spf1 include:<your mail provider> -all"],
      ["dmarc", "TXT", "_dmarc.garden.example.com", "v=DMARC1; p=none"],
      ["bounce-mx", "MX", "bounces.garden.example.com", "10 mx.prefs.example.net"],
    ]);
    expect(records.find((r) => r.key === "bounce-mx")!.publish!.zoneLine).toBe("bounces.garden.example.com.  MX  10 mx.prefs.example.net.");
    expect(records.find((r) => r.key === "spf")!.note).toMatch(/cannot know which servers send your mail/);
    // The unit's own bounce domain replaces the default.
    const own = senderDnsRecords(unit("garden.example.com", { bounceDomain: "returns.garden.example.com" }));
    expect([own.bounceDomain, own.alignment]).toEqual(["returns.garden.example.com", null]);
    // A bounce domain elsewhere: SPF cannot align for DMARC, and the page says so for as long as it is set.
    expect(senderDnsRecords(unit("garden.example.com", { bounceDomain: "bounces.mailer.example.net" })).alignment).toMatch(/^The bounce domain bounces\.mailer\.example\.net is not under the same parent domain as the From address's garden\.example\.com/);
  });
});

describe("checking DNS", () => {
  it("finds every record of a domain that publishes them all, the DKIM key split into strings as DNS stores it", async () => {
    const results = await check("garden.example.com");
    expect(verdicts(results)).toEqual({ dkim: "found", spf: "found", "bounce-spf": "found", dmarc: "found", "bounce-mx": "found" });
    expect(results.dkim.message).toBe("Found: a sample signed with the stored key verifies against the key published at pc2026._domainkey.garden.example.com.");
    expect(results.spf.seen).toEqual(["v=spf1 include:_spf.mailer.example.net -all"]);
    expect(results.dmarc.message).toBe("Found at _dmarc.garden.example.com: p=reject.");
    expect(results["bounce-mx"].seen).toEqual(["10 mx.prefs.example.net"]);
  });

  it("says the DKIM key is wrong when DNS publishes another key than the stored one", async () => {
    const { dkim } = await check("mismatch.example.com");
    expect(dkim.verdict).toBe("wrong");
    expect(dkim.message).toMatch(/^Key mismatch: pc2026\._domainkey\.mismatch\.example\.com publishes another public key \(SHA256:\S+; the stored key's is SHA256:\S+\), so receivers reject the signature\./);
    expect(dkim.seen).toEqual([dkimValue(KEY_B.publicKey)]);
  });

  it("says SPF is wrong with two v=spf1 records, and when it ends in +all", async () => {
    const two = await check("twospf.example.com");
    expect(two.spf).toMatchObject({ verdict: "wrong", message: expect.stringMatching(/^2 SPF records on twospf\.example\.com: receivers treat more than one as a permanent error/) });
    expect(two["bounce-spf"].verdict).toBe("found");
    const loose = await check("loose.example.com");
    expect(loose.spf).toMatchObject({ verdict: "wrong", message: expect.stringMatching(/ends in \+all: it lets any server in the world send as loose\.example\.com/) });
    expect(loose["bounce-spf"]).toMatchObject({ verdict: "missing", message: expect.stringMatching(/^No SPF record \(v=spf1\) on bounces\.loose\.example\.com/) });
  });

  it("says DMARC is missing when neither the domain nor a parent has one, and finds a parent's record with its sp= policy", async () => {
    const none = await check("nodmarc.example.com");
    expect(none.dmarc).toMatchObject({ verdict: "missing", message: expect.stringMatching(/^No DMARC record at _dmarc\.nodmarc\.example\.com or a parent domain/) });
    expect(dns.questions).toEqual(expect.arrayContaining(["TXT _dmarc.nodmarc.example.com", "TXT _dmarc.example.com"]));
    expect(dns.questions).not.toContain("TXT _dmarc.com");
    const parent = await check("shop.example.org");
    expect(parent.dmarc).toMatchObject({ verdict: "found", message: "Found at _dmarc.example.org (the parent domain's record, which covers shop.example.org): p=quarantine." });
    const noPolicy = await check("loose.example.com");
    expect(noPolicy.dmarc).toMatchObject({ verdict: "wrong", message: expect.stringMatching(/has no p= policy/) });
  });

  it("says the bounce domain's MX is wrong when it points elsewhere, and missing when there is none", async () => {
    const elsewhere = await check("elsewhere.example.com");
    expect(elsewhere["bounce-mx"]).toMatchObject({
      verdict: "wrong",
      seen: ["5 mx1.other-provider.example"],
      message: expect.stringMatching(/^The MX of bounces\.elsewhere\.example\.com points at mx1\.other-provider\.example, not at mx\.prefs\.example\.net/),
    });
    const loose = await check("loose.example.com");
    expect(loose["bounce-mx"]).toMatchObject({ verdict: "missing", message: expect.stringMatching(/^No MX record on bounces\.loose\.example\.com/) });
  });

  it("says a DKIM record that holds no key is wrong, and one that is not there is missing", async () => {
    const loose = await check("loose.example.com");
    expect(loose.dkim).toMatchObject({ verdict: "wrong", message: expect.stringMatching(/^The record at pc2026\._domainkey\.loose\.example\.com is not a usable key: .*Replace it with the one below\.$/) });
    const other = await check("garden.example.com", { dkimSelector: "pc2027" });
    expect(other.dkim).toMatchObject({ verdict: "missing", message: expect.stringMatching(/^No TXT record at pc2027\._domainkey\.garden\.example\.com/) });
    const unsigned = await check("garden.example.com", { dkimSelector: null, dkimPrivateKey: null });
    expect(unsigned.dkim).toMatchObject({ verdict: "not-set-up", message: expect.stringMatching(/^No DKIM key is stored/) });
  });

  it("shows a SERVFAIL as could not check, beside the records that could be checked", async () => {
    const results = await check("broken.example.com");
    expect(results.dkim).toMatchObject({ verdict: "could-not-check", message: expect.stringMatching(/^Could not check: the DNS server failed to answer \(SERVFAIL\) \(ESERVFAIL\) when asking DNS server 127\.0\.0\.1:\d+ for the TXT records of pc2026\._domainkey\.broken\.example\.com/) });
    expect(results.spf.verdict).toBe("found");
  });

  it("shows a DNS server that never answers as could not check, within seconds", async () => {
    const silent = await startSilentDnsServer();
    try {
      const started = Date.now();
      const report = await checkSenderDns(unit("garden.example.com"), { servers: silent.address });
      const elapsed = Date.now() - started;
      expect(report.results.map((r) => r.verdict)).toEqual(["could-not-check", "could-not-check", "could-not-check", "could-not-check", "could-not-check"]);
      expect(report.results[0].message).toMatch(/^Could not check: the DNS server did not answer in time \(ETIMEOUT\) when asking DNS server 127\.0\.0\.1:\d+ for the TXT records of pc2026\._domainkey\.garden\.example\.com\. Check again later\.$/);
      expect(silent.questions).toBeGreaterThan(0);
      expect(elapsed).toBeLessThan(6_000);
    } finally {
      await silent.stop();
    }
  });

  it("reads DNS_RESOLVER's form, and says what is wrong with a bad one instead of looking up", async () => {
    expect(parseResolverServers("127.0.0.1:5353, 9.9.9.9,[::1]:53, 2001:db8::1")).toEqual(["127.0.0.1:5353", "9.9.9.9", "[::1]:53", "2001:db8::1"]);
    expect(parseResolverServers("dns.example.com")).toBeInstanceOf(Error);
    expect(parseResolverServers("127.0.0.1:99999")).toBeInstanceOf(Error);
    const report = await checkSenderDns(unit("garden.example.com"), { servers: "resolver.example.com" });
    expect(report.results[1]).toMatchObject({ verdict: "could-not-check", message: expect.stringMatching(/^DNS_RESOLVER is set to “resolver\.example\.com”, and “resolver\.example\.com” is not an IP address/) });
  });
});
