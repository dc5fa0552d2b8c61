import net from "node:net";
import PostalMime from "postal-mime";
import { SMTPServer, type SMTPServerError } from "smtp-server";

// A real SMTP server on loopback that keeps what it receives; it can refuse recipients on demand.

/** `from`: the envelope sender (MAIL FROM); `at`: when the message was fully received (Date.now()). */
export type SinkMessage = { raw: Buffer; from: string; to: string; at: number };
/** An SMTP refusal: a code (451, 550: a usual reply follows it), or the code and the whole text after it ("5.7.1 Blocked by policy"). */
export type SinkRefusal = number | { code: number; text: string };
export type SmtpSink = {
  url: string;
  received: SinkMessage[];
  /** Called per recipient: return a refusal (e.g. 451, 550, { code: 550, text: "5.7.1 ..." }), or nothing to accept. */
  refuse: ((address: string) => SinkRefusal | void) | null;
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
    // The refusal's text carries its own enhanced status code: the server would add one by the basic code alone.
    hideENHANCEDSTATUSCODES: true,
    onRcptTo(address, _session, callback) {
      const refusal = sink.refuse?.(address.address);
      if (!refusal) return callback();
      const { code, text } = typeof refusal === "number" ? { code: refusal, text: refusal >= 500 ? "5.1.1 No such mailbox" : "4.3.0 Try again later" } : refusal;
      const error: SMTPServerError = new Error(text);
      error.responseCode = code;
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", async () => {
        const mailFrom = session.envelope.mailFrom;
        const message = { raw: Buffer.concat(chunks), from: mailFrom ? mailFrom.address : "", to: session.envelope.rcptTo[0]?.address ?? "", at: Date.now() };
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
