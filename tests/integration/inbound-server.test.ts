import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import tls from "node:tls";
import path from "node:path";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { returnPathFor, mailtoUnsubscribeFor } from "~/domain/feedback/addresses.server.ts";
import { inboundTlsFromEnv, startInboundServer, type InboundServer, type ReceivedMessage } from "~/domain/feedback/inbound-server.server.ts";
import { createUnit } from "../helpers/fixtures.ts";
import { inboundClient, refusal, type InboundClient } from "../helpers/inbound-client.ts";

// The inbound server's SMTP dialogue: what it refuses at RCPT (never a relay), with real SMTP.

let server: InboundServer;
let client: InboundClient;
let bounceDomain: string;
const handedOn: ReceivedMessage[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  const unit = await createUnit();
  await db.businessUnit.update({ where: { id: unit.id }, data: { bounceDomain: `mx.${unit.slug}.example.net` } });
  bounceDomain = `mx.${unit.slug}.example.net`;
  server = await startInboundServer({
    port: 0,
    host: "127.0.0.1",
    receive: async (message) => {
      handedOn.push(message);
      return "kept";
    },
    log: (line) => logLines.push(line),
  });
  client = inboundClient(server.port);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

const report = "From: MAILER-DAEMON@mx.example.org\r\nTo: someone\r\nSubject: Undelivered Mail\r\n\r\nThe body.\r\n";

describe("the inbound server's RCPT rules", () => {
  it("refuses a bounce address whose signature was forged, at RCPT with 550 5.1.1", async () => {
    const genuine = returnPathFor({ stream: "campaign", deliveryId: 41 }, bounceDomain);
    const forged = genuine.replace(/-[0-9a-f]{20}@/, "-0123456789abcdef0123@");
    const error = await refusal(client.send({ from: "", to: [forged] }, report));
    expect(error.responseCode).toBe(550);
    expect(error.response).toMatch(/^550 5\.1\.1 /);
    // Another delivery's id with a genuine signature of a different delivery is forged too.
    const otherId = genuine.replace("+c41-", "+c42-");
    expect((await refusal(client.send({ from: "", to: [otherId] }, report))).responseCode).toBe(550);
    // A bounce id does not work as an unsubscribe id: the purpose is signed.
    expect((await refusal(client.send({ from: "", to: [genuine.replace("bounces+", "unsubscribe+")] }, report))).responseCode).toBe(550);
    expect(handedOn).toEqual([]);
  });

  it("refuses a genuine signed address at a domain that is no unit's bounce domain", async () => {
    const elsewhere = returnPathFor({ stream: "campaign", deliveryId: 41 }, "bounces.not-ours.example.org");
    expect((await refusal(client.send({ from: "", to: [elsewhere] }, report))).responseCode).toBe(550);
    expect((await refusal(client.send({ from: "", to: [`fbl@not-ours.example.org`] }, report))).responseCode).toBe(550);
    expect(handedOn).toEqual([]);
  });

  it("is never a relay: mail for anyone else is refused at RCPT and nothing is handed on", async () => {
    logLines.length = 0;
    for (const to of ["someone@gmail.com", `someone@${bounceDomain}`, "postmaster@gmail.com", `bounces@${bounceDomain}`, "bounces+c1@gmail.com"]) {
      const error = await refusal(client.send({ from: "spammer@example.org", to: [to] }, report));
      expect(error.responseCode, to).toBe(550);
    }
    expect(handedOn).toEqual([]);
    expect(logLines.filter((line) => line.includes("refused RCPT"))).toHaveLength(5);
  });

  it("takes only its own recipients of a message that names others too", async () => {
    const own = returnPathFor({ stream: "campaign", deliveryId: 7 }, bounceDomain);
    const sent = await client.send({ from: "", to: ["victim@gmail.com", own.toUpperCase()] }, report);
    expect(sent.rejected).toEqual(["victim@gmail.com"]);
    expect(handedOn).toHaveLength(1);
    expect(handedOn[0].recipients).toEqual([{ address: own, own: { kind: "bounce", ref: { stream: "campaign", deliveryId: 7 }, domain: bounceDomain } }]);
    handedOn.length = 0;
  });

  it("accepts its own addresses: a signed bounce and unsubscribe address, the feedback loop and postmaster", async () => {
    const ref = { stream: "transactional", messageId: 12 } as const;
    const addresses = [returnPathFor(ref, bounceDomain), mailtoUnsubscribeFor(ref, bounceDomain), `fbl@${bounceDomain}`, `Postmaster@${bounceDomain}`];
    for (const to of addresses) await client.send({ from: "", to: [to] }, report);
    expect(handedOn.map((m) => m.recipients[0].own.kind)).toEqual(["bounce", "unsubscribe", "feedback-loop", "postmaster"]);
    expect(handedOn.every((m) => m.raw.toString().includes("The body."))).toBe(true);
    handedOn.length = 0;
  });

  it("announces SIZE 1 MB and offers neither AUTH nor, without a certificate, STARTTLS", async () => {
    const capabilities = await ehloCapabilities(server.port);
    expect(capabilities).toContain("SIZE 1048576");
    expect(capabilities).toContain("ENHANCEDSTATUSCODES");
    expect(capabilities.filter((line) => /^(AUTH|STARTTLS)/.test(line))).toEqual([]);
  });

  it("refuses a message over 1 MB with 552, then answers the next one", async () => {
    const own = returnPathFor({ stream: "campaign", deliveryId: 8 }, bounceDomain);
    const huge = report + "x".repeat(76).concat("\r\n").repeat(14_000);
    const error = await refusal(client.send({ from: "", to: [own] }, huge));
    expect(error.responseCode).toBe(552);
    expect(handedOn).toEqual([]);
    await client.send({ from: "", to: [own] }, report);
    expect(handedOn).toHaveLength(1);
    handedOn.length = 0;
  });
});

describe("STARTTLS", () => {
  it("is offered when a certificate and key are configured, and mail then travels encrypted", async () => {
    const pems = await generate([{ name: "commonName", value: "mx.example.net" }], { keySize: 2048 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inbound-tls-"));
    fs.writeFileSync(path.join(dir, "cert.pem"), pems.cert);
    fs.writeFileSync(path.join(dir, "key.pem"), pems.private);
    const certificate = inboundTlsFromEnv({ INBOUND_TLS_CERT: path.join(dir, "cert.pem"), INBOUND_TLS_KEY: path.join(dir, "key.pem") });
    const secured = await startInboundServer({ port: 0, host: "127.0.0.1", tls: certificate, receive: async (message) => (handedOn.push(message), "kept"), log: () => {} });
    const tlsClient = inboundClient(secured.port, { requireTLS: true });
    try {
      const capabilities = await ehloCapabilities(secured.port);
      expect(capabilities).toContain("STARTTLS");
      expect(await startTlsCertificate(secured.port)).toBe(new crypto.X509Certificate(pems.cert).fingerprint256);
      expect(capabilities.filter((line) => line.startsWith("AUTH"))).toEqual([]);
      await tlsClient.send({ from: "", to: [`fbl@${bounceDomain}`] }, report);
      expect(handedOn).toHaveLength(1);
      handedOn.length = 0;
    } finally {
      tlsClient.close();
      await secured.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A plain-socket SMTP dialogue: waitFor resolves once the text received since the last call matches. */
function dialogue(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  let received = "";
  const listeners: (() => void)[] = [];
  socket.on("data", (chunk) => {
    received += chunk.toString();
    listeners.forEach((check) => check());
  });
  const waitFor = (done: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!done.test(received)) return;
        listeners.splice(listeners.indexOf(check), 1);
        const text = received;
        received = "";
        resolve(text);
      };
      listeners.push(check);
      socket.once("error", reject);
      check();
    });
  return { socket, waitFor };
}

/** The SHA-256 fingerprint of the certificate the server presents after STARTTLS. */
async function startTlsCertificate(port: number): Promise<string> {
  const { socket, waitFor } = dialogue(port);
  await waitFor(/^220 /m);
  socket.write("EHLO client.example.org\r\n");
  await waitFor(/^250 /m);
  socket.write("STARTTLS\r\n");
  await waitFor(/^220 /m);
  socket.removeAllListeners("data");
  const secure = tls.connect({ socket, rejectUnauthorized: false });
  await new Promise((resolve, reject) => secure.once("secureConnect", resolve).once("error", reject));
  const fingerprint = secure.getPeerX509Certificate()!.fingerprint256;
  secure.destroy();
  return fingerprint;
}

/** The EHLO answer's capability lines, read over a plain socket. */
async function ehloCapabilities(port: number): Promise<string[]> {
  const { socket, waitFor } = dialogue(port);
  try {
    await waitFor(/^220 /m);
    socket.write("EHLO client.example.org\r\n");
    const answer = await waitFor(/^250 /m);
    return answer.split("\r\n").filter(Boolean).slice(1).map((line) => line.slice(4));
  } finally {
    socket.end("QUIT\r\n");
  }
}
