import net from "node:net";
import PostalMime from "postal-mime";
import { SMTPServer, type SMTPServerError } from "smtp-server";

// A real SMTP server on loopback that keeps what it receives; it can refuse recipients on demand.

/** `at`: when the message was fully received (Date.now()). */
export type SinkMessage = { raw: Buffer; to: string; at: number };
export type SmtpSink = {
  url: string;
  received: SinkMessage[];
  /** Called per recipient: return an SMTP code (e.g. 451, 550) to refuse it, or nothing to accept. */
  refuse: ((address: string) => number | void) | null;
  /** Called after each accepted message. */
  onMessage: ((message: SinkMessage) => void | Promise<void>) | null;
  close(): Promise<void>;
};

export async function startSmtpSink(): Promise<SmtpSink> {
  const sink: SmtpSink = { url: "", received: [], refuse: null, onMessage: null, close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = sink.refuse?.(address.address);
      if (!code) return callback();
      const error: SMTPServerError = new Error(code >= 500 ? "No such mailbox" : "Try again later");
      error.responseCode = code;
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", async () => {
        const message = { raw: Buffer.concat(chunks), to: session.envelope.rcptTo[0]?.address ?? "", at: Date.now() };
        sink.received.push(message);
        await sink.onMessage?.(message);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  sink.url = `smtp://127.0.0.1:${(server.server.address() as net.AddressInfo).port}`;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}

/** Every header of a raw message with this name, in order (case-insensitive). */
export async function headerValues(raw: Buffer, name: string): Promise<string[]> {
  const parsed = await PostalMime.parse(raw);
  return parsed.headers.filter((h) => h.key === name.toLowerCase()).map((h) => h.value);
}
