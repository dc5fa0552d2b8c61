import { getEnv, type Env } from "~/utils/env.server.ts";
import { createOutboxTransport } from "./outbox.server.ts";
import { createSmtpTransport } from "./smtp.server.ts";
import { MailConfigError, type MailTransport } from "./outgoing-mail.server.ts";

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

// One transport (one SMTP pool) for the whole process, kept across dev-server reloads.
const globalForMail = globalThis as unknown as { __mailTransport?: MailTransport };

/** The transport configured by MAIL_TRANSPORT, created on first use. */
export function getMailTransport(): MailTransport {
  return (globalForMail.__mailTransport ??= createMailTransport(getEnv()));
}
