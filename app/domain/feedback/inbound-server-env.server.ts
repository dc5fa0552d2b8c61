import type { Env } from "~/utils/env.server.ts";
import { recordInboundMessage } from "./inbound-server-record.server.ts";
import { inboundTlsFromEnv, startInboundServer, type InboundServer } from "./inbound-server.server.ts";

/** The inbound server as configured (INBOUND_SMTP_*), recording what it accepts; null when INBOUND_SMTP_PORT=off. */
export async function startConfiguredInboundServer(env: Env): Promise<InboundServer | null> {
  if (env.INBOUND_SMTP_PORT === "off") return null;
  return startInboundServer({
    port: env.INBOUND_SMTP_PORT,
    host: env.INBOUND_SMTP_HOST,
    tls: inboundTlsFromEnv(env),
    name: env.INBOUND_MX_HOST ?? new URL(env.PUBLIC_URL).hostname,
    receive: recordInboundMessage,
  });
}
