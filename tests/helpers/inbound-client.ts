import nodemailer from "nodemailer";

// A plain SMTP client for the inbound server, as a mailbox provider's MTA would connect.

export type InboundClient = {
  /** Sends raw RFC 5322 text to the envelope given; resolves to the server's answer, rejects with its error (responseCode, response). */
  send(envelope: { from: string; to: string[] }, raw: string | Buffer): Promise<{ response: string; accepted: string[]; rejected: string[] }>;
  close(): void;
};

export function inboundClient(port: number, options: { requireTLS?: boolean; pool?: boolean } = {}): InboundClient {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    pool: options.pool ?? false,
    ignoreTLS: !options.requireTLS,
    requireTLS: options.requireTLS ?? false,
    tls: { rejectUnauthorized: false },
  });
  return {
    async send(envelope, raw) {
      const info = await transport.sendMail({ envelope, raw });
      return { response: info.response, accepted: info.accepted.map(String), rejected: info.rejected.map(String) };
    },
    close: () => transport.close(),
  };
}

/** The error a refused send rejects with. */
export type SmtpRefusal = Error & { responseCode?: number; response?: string; code?: string };

/** Resolves to the refusal, or fails the test when the server took the message. */
export async function refusal(sending: Promise<unknown>): Promise<SmtpRefusal> {
  try {
    await sending;
  } catch (error) {
    return error as SmtpRefusal;
  }
  throw new Error("the server accepted a message it should have refused");
}
