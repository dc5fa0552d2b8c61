import dgram from "node:dgram";
import dns2 from "dns2";

// A DNS server on loopback (dns2, UDP and TCP on one port) that answers from a zone the test
// sets, so sender-readiness checks run against real DNS packets. A name it does not know is
// NXDOMAIN; a known name without records of the asked type answers with none (NODATA).

const { Packet } = dns2;

/** SERVFAIL: answer every question about the name with SERVFAIL; SILENT: never answer one (the asker times out). */
export type ZoneRecords = { TXT?: (string | string[])[]; MX?: { exchange: string; priority: number }[]; SERVFAIL?: true; SILENT?: true };
/** Records by name (any case, no trailing dot). A TXT record given as an array is sent as that many strings, as DNS splits long values. */
export type Zone = Record<string, ZoneRecords>;

export type TestDnsServer = {
  /** "127.0.0.1:<port>", the form DNS_RESOLVER takes. */
  address: string;
  /** The zone it answers from; tests may change it between lookups. */
  zone: Zone;
  /** Every question it was asked, "<TYPE> <name>". */
  questions: string[];
  stop: () => Promise<void>;
};

const TYPE_NAME = Object.fromEntries(Object.entries(Packet.TYPE).map(([name, code]) => [code, name])) as Record<number, string>;

export async function startDnsServer(zone: Zone): Promise<TestDnsServer> {
  const questions: string[] = [];
  const records = (name: string): ZoneRecords | undefined => {
    const wanted = name.toLowerCase().replace(/\.$/, "");
    return Object.entries(server.zone).find(([key]) => key.toLowerCase() === wanted)?.[1];
  };
  const handle: dns2.DnsHandler = (request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    questions.push(`${TYPE_NAME[question.type] ?? question.type} ${question.name}`);
    const found = records(question.name);
    if (found?.SILENT) return;
    if (!found) response.header.rcode = Packet.RCODE.NXDOMAIN;
    else if (found.SERVFAIL) response.header.rcode = Packet.RCODE.SERVFAIL;
    else if (question.type === Packet.TYPE.TXT) {
      for (const data of found.TXT ?? []) response.answers.push({ name: question.name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 60, data } as never);
    } else if (question.type === Packet.TYPE.MX) {
      for (const mx of found.MX ?? []) response.answers.push({ name: question.name, type: Packet.TYPE.MX, class: Packet.CLASS.IN, ttl: 60, ...mx } as never);
    }
    void send(response);
  };
  const { udp, tcp, port } = await listenOnOnePort(handle);
  const server: TestDnsServer = {
    address: `127.0.0.1:${port}`,
    zone,
    questions,
    stop: async () => {
      await Promise.all([udp.close(), tcp.close()]);
    },
  };
  return server;
}

/**
 * A UDP and a TCP server on one free port: answers too long for a UDP packet are retried over TCP
 * on the same port. The port is free for UDP when picked, but a TCP socket (an outgoing
 * connection's local port) may hold it: then another port is tried.
 */
async function listenOnOnePort(handle: dns2.DnsHandler) {
  for (let attempt = 1; ; attempt++) {
    const udp = dns2.createServer({ udp: true, handle });
    const { udp: bound } = await listening(udp, { udp: { port: 0, address: "127.0.0.1" } });
    const port = bound!.port;
    const tcp = dns2.createServer({ tcp: true, handle });
    try {
      await listening(tcp, { tcp: { port, address: "127.0.0.1" } });
      return { udp, tcp, port };
    } catch (error) {
      await udp.close();
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt === 5) throw error;
    }
  }
}

/** dns2's listen() settles only on "listening": a port already taken left it (and the test file) waiting for ever. */
function listening(server: dns2.DnsServer, options: Parameters<dns2.DnsServer["listen"]>[0]): ReturnType<dns2.DnsServer["listen"]> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options).then(resolve, reject);
  });
}

/** A DNS server that reads every question and never answers: lookups through it time out. */
export async function startSilentDnsServer(): Promise<{ address: string; questions: number; stop: () => Promise<void> }> {
  const socket = dgram.createSocket("udp4");
  const silent = { address: "", questions: 0, stop: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
  socket.on("message", () => silent.questions++);
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  silent.address = `127.0.0.1:${socket.address().port}`;
  return silent;
}

/**
 * Everything a unit sending from `domain` publishes when all is right: its DKIM key at
 * pc2026._domainkey (split into 255-character strings, as DNS stores a long value), SPF on the
 * sending and bounce domains, DMARC, and the bounce domain's MX at `mxHost`. `changes`
 * replaces names, or removes them (undefined).
 */
export function senderZone(domain: string, dkimRecord: string, mxHost: string, changes: Record<string, ZoneRecords | undefined> = {}): Zone {
  const zone: Record<string, ZoneRecords | undefined> = {
    [domain]: { TXT: ["google-site-verification=abc", "v=spf1 include:_spf.mailer.example.net -all"] },
    [`pc2026._domainkey.${domain}`]: { TXT: [dkimRecord.match(/.{1,255}/g)!] },
    [`_dmarc.${domain}`]: { TXT: ["v=DMARC1; p=reject; rua=mailto:dmarc@example.com"] },
    [`bounces.${domain}`]: { TXT: ["v=spf1 include:_spf.mailer.example.net ~all"], MX: [{ exchange: mxHost, priority: 10 }] },
    ...changes,
  };
  return Object.fromEntries(Object.entries(zone).filter(([, records]) => records !== undefined)) as Zone;
}
