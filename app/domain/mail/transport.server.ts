import { getEnv, type Env } from "~/utils/env.server.ts";
import { createOutboxTransport } from "./outbox.server.ts";
import { createSmtpTransport } from "./smtp.server.ts";
import { MailConfigError, type MailStream, type MailTransport } from "./outgoing-mail.server.ts";

export {
  InvalidMailError,
  MailConfigError,
  MailDeliveryError,
  type MailStream,
  type MailTransport,
  type OutgoingMail,
  type SentMail,
} from "./outgoing-mail.server.ts";

export type MailConfig = Pick<Env, "MAIL_TRANSPORT" | "OUTBOX_DIR" | "SMTP_URL">;

export function createMailTransport(config: MailConfig): MailTransport {
  switch (config.MAIL_TRANSPORT) {
    case "outbox":
      return createOutboxTransport(config.OUTBOX_DIR);
    case "smtp":
      return createSmtpTransport(config.SMTP_URL);
    default:
      throw new MailConfigError(`MAIL_TRANSPORT must be outbox or smtp (got "${String(config.MAIL_TRANSPORT)}")`);
  }
}

// One transport per stream for the whole process, kept across dev-server reloads: service mail
// has its own SMTP pool, so a campaign filling the promotional pool never delays a sign-in link.
const globalForMail = globalThis as unknown as { __mailTransports?: Map<MailStream, MailTransport> };

/** The transport configured by MAIL_TRANSPORT for one stream, created on first use. */
export function getMailTransport(stream: MailStream): MailTransport {
  const transports = (globalForMail.__mailTransports ??= new Map());
  let transport = transports.get(stream);
  if (!transport) {
    transport = createMailTransport(getEnv());
    transports.set(stream, transport);
  }
  return transport;
}
