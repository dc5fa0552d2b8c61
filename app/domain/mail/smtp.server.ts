import nodemailer, { type NodemailerError } from "nodemailer";
import { composeMessage, describeFailure, MailConfigError, MailDeliveryError, type MailTransport, type SmtpRefusal } from "./outgoing-mail.server.ts";

/** Sends through one SMTP server with pooled connections. Throws MailConfigError at once if the URL is missing or malformed. */
export function createSmtpTransport(smtpUrl: string | undefined): MailTransport {
  const server = serverOf(smtpUrl);
  const pool = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    // Fail a send within seconds when the server is unreachable or silent, not after the 2-minute default.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
  });
  // Errors name the server as host:port only: the URL may hold a password.
  const failure = (what: string, error: unknown) =>
    new MailDeliveryError(`${what} through SMTP server ${server}: ${describeFailure(error)}`, {
      cause: error,
      permanent: (error as NodemailerError).permanent === true,
      refusal: refusalOf(error as NodemailerError),
    });
  // Closing the pool drops queued messages, so close() first lets the sends already started finish.
  const inFlight = new Set<Promise<unknown>>();
  return {
    name: "smtp",
    async send(mail) {
      const options = composeMessage(mail);
      const delivery = pool.sendMail(options);
      inFlight.add(delivery);
      let info;
      try {
        info = await delivery;
      } catch (error) {
        throw failure("Could not send mail", error);
      } finally {
        inFlight.delete(delivery);
      }
      if (info.rejected.length > 0 || info.accepted.length === 0) {
        throw failure("Could not send mail", new Error(`the recipient was not accepted (${info.response})`));
      }
      // Not info.messageId: for a message sent raw (message-frame.server.ts) nodemailer makes up its own.
      return { messageId: String(options.messageId) };
    },
    async verify() {
      try {
        await pool.verify();
      } catch (error) {
        throw failure("Could not connect", error);
      }
    },
    async close() {
      await Promise.allSettled(inFlight);
      pool.close();
    },
  };
}

/** The server's answer, when the failure is one (a refused command), not a timeout or a broken connection. */
function refusalOf(error: NodemailerError): SmtpRefusal | undefined {
  const { responseCode, response, command } = error;
  if (typeof responseCode !== "number" || typeof response !== "string" || typeof command !== "string") return undefined;
  return { code: responseCode, response: response.trim(), command };
}

function serverOf(smtpUrl: string | undefined): string {
  if (!smtpUrl) throw new MailConfigError("MAIL_TRANSPORT=smtp needs SMTP_URL, such as smtp://user:pass@smtp.example.com:587");
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new MailConfigError("SMTP_URL is not a URL; expected smtp://user:pass@host:port or smtps://...");
  }
  if ((url.protocol !== "smtp:" && url.protocol !== "smtps:") || !url.hostname) {
    throw new MailConfigError(`SMTP_URL must be smtp://host:port or smtps://host:port (got a ${url.protocol} URL)`);
  }
  // nodemailer's defaults when the URL names no port.
  return `${url.hostname}:${url.port || (url.protocol === "smtps:" ? 465 : 587)}`;
}
