import net from "node:net";
import PostalMime from "postal-mime";
import { SMTPServer, type SMTPServerError } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { createMailTransport, MailDeliveryError, type MailTransport, type OutgoingMail } from "~/domain/mail/transport.server.ts";

// A real SMTP server on 127.0.0.1 receives what the smtp transport sends; nothing is mocked.

type Inbox = { port: number; received: Array<{ raw: Buffer; envelopeTo: string[] }>; connections: number; close(): Promise<void> };

async function startSmtpServer(options: { refuseRecipient?: { code: number; message: string } } = {}): Promise<Inbox> {
  const received: Inbox["received"] = [];
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onRcptTo(_address, _session, callback) {
      const refusal = options.refuseRecipient;
      if (!refusal) return callback();
      const error: SMTPServerError = new Error(refusal.message);
      error.responseCode = refusal.code;
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({ raw: Buffer.concat(chunks), envelopeTo: session.envelope.rcptTo.map((r) => r.address) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    get connections() {
      return connections;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function promotional(n: number): OutgoingMail {
  return {
    stream: "promotional",
    from: { name: "Acme Garden News", address: "news@acme.example" },
    to: `person-${n}@example.com`,
    subject: `Spring bulbs, letter ${n}`,
    html: `<p>Hello <b>${n}</b></p>`,
    text: `Hello ${n}`,
    headers: {
      "List-Unsubscribe": `<https://prefs.example.com/u/token-${n}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
    messageIdDomain: "mail.acme.example",
  };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function smtpTransportTo(port: number): Promise<MailTransport> {
  const transport = createMailTransport({ MAIL_TRANSPORT: "smtp", OUTBOX_DIR: "unused", SMTP_URL: `smtp://127.0.0.1:${port}` });
  cleanup.push(() => transport.close());
  return transport;
}

describe("smtp transport", () => {
  it("delivers several messages through the pool, each exactly as composed", async () => {
    const inbox = await startSmtpServer();
    cleanup.push(() => inbox.close());
    const transport = await smtpTransportTo(inbox.port);
    expect(transport.name).toBe("smtp");
    await transport.verify();

    const count = 12;
    const sent = await Promise.all(Array.from({ length: count }, (_, n) => transport.send(promotional(n))));

    expect(inbox.received).toHaveLength(count);
    // Pooled: a few connections carry all the messages (nodemailer's pool opens at most 5).
    expect(inbox.connections).toBeLessThanOrEqual(6); // 5 for sending + 1 for verify()
    const parsed = await Promise.all(inbox.received.map(async ({ raw, envelopeTo }) => ({ email: await PostalMime.parse(raw), envelopeTo })));
    for (let n = 0; n < count; n++) {
      const match = parsed.find(({ email }) => email.subject === `Spring bulbs, letter ${n}`);
      expect(match, `letter ${n}`).toBeDefined();
      const { email, envelopeTo } = match!;
      expect(envelopeTo).toEqual([`person-${n}@example.com`]);
      expect(email.from).toEqual({ name: "Acme Garden News", address: "news@acme.example" });
      expect(email.to).toEqual([{ name: "", address: `person-${n}@example.com` }]);
      expect(email.messageId).toBe(sent[n].messageId);
      expect(email.messageId).toMatch(/^<[^@<>]+@mail\.acme\.example>$/);
      const values = (key: string) => email.headers.filter((h) => h.key === key).map((h) => h.value);
      expect(values("list-unsubscribe")).toEqual([`<https://prefs.example.com/u/token-${n}>`]);
      expect(values("list-unsubscribe-post")).toEqual(["List-Unsubscribe=One-Click"]);
      expect(values("content-type")[0]).toMatch(/^multipart\/alternative;/);
      expect(email.text?.trim()).toBe(`Hello ${n}`);
      expect(email.html?.trim()).toBe(`<p>Hello <b>${n}</b></p>`);
    }
    expect(new Set(sent.map((s) => s.messageId)).size).toBe(count);
  });

  it("lets the sends already started finish when closed, then refuses new ones", async () => {
    const inbox = await startSmtpServer();
    cleanup.push(() => inbox.close());
    const transport = await smtpTransportTo(inbox.port);

    const started = Array.from({ length: 8 }, (_, n) => transport.send(promotional(n)));
    await transport.close();
    await expect(Promise.all(started)).resolves.toHaveLength(8);
    expect(inbox.received).toHaveLength(8);
    await expect(transport.send(promotional(9))).rejects.toThrow(/pool was closed/);
  });

  it("rejects, as permanent, when the server refuses the recipient", async () => {
    const inbox = await startSmtpServer({ refuseRecipient: { code: 550, message: "No such user here" } });
    cleanup.push(() => inbox.close());
    const transport = await smtpTransportTo(inbox.port);

    const failure = transport.send(promotional(1));
    await expect(failure).rejects.toBeInstanceOf(MailDeliveryError);
    await expect(failure).rejects.toThrow(`through SMTP server 127.0.0.1:${inbox.port}`);
    await expect(failure).rejects.toThrow(/550 No such user here/);
    await expect(failure).rejects.toMatchObject({ permanent: true });
    expect(inbox.received).toHaveLength(0);
  });

  it("rejects, as retryable, when the server defers the recipient", async () => {
    const inbox = await startSmtpServer({ refuseRecipient: { code: 451, message: "Try again later" } });
    cleanup.push(() => inbox.close());
    const transport = await smtpTransportTo(inbox.port);

    const failure = transport.send(promotional(1));
    await expect(failure).rejects.toThrow(/451 Try again later/);
    await expect(failure).rejects.toMatchObject({ permanent: false });
  });

  it("rejects with host, port and reason when nothing listens", async () => {
    const port = await closedPort();
    const transport = await smtpTransportTo(port);

    const failure = transport.send(promotional(1));
    await expect(failure).rejects.toBeInstanceOf(MailDeliveryError);
    await expect(failure).rejects.toThrow(`Could not send mail through SMTP server 127.0.0.1:${port}`);
    await expect(failure).rejects.toThrow(/ECONNREFUSED/);
    await expect(transport.verify()).rejects.toThrow(/Could not connect through SMTP server 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it("never puts the SMTP password in an error", async () => {
    const port = await closedPort();
    const transport = createMailTransport({ MAIL_TRANSPORT: "smtp", OUTBOX_DIR: "unused", SMTP_URL: `smtp://mailer:hunter2secret@127.0.0.1:${port}` });
    cleanup.push(() => transport.close());
    const error = await transport.send(promotional(1)).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain(`127.0.0.1:${port}`);
    expect(error?.message).not.toContain("hunter2secret");
  });
});
