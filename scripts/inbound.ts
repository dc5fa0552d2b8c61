// `npm run inbound`: the inbound SMTP server alone (the MX of the units' bounce domains), for
// a deployment that runs it apart from the web process (then start that one with INBOUND_SMTP_PORT=off).

import { ConfigError, getEnv } from "../app/utils/env.server.ts";

let env;
try {
  env = getEnv();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
if (env.INBOUND_SMTP_PORT === "off") {
  console.error("INBOUND_SMTP_PORT is off: set it to the port to listen on (e.g. 25, or 2525 behind a port forward).");
  process.exit(1);
}

const { startConfiguredInboundServer } = await import("../app/domain/feedback/inbound-server-env.server.ts");
let server;
try {
  server = (await startConfiguredInboundServer(env))!;
} catch (error) {
  console.error(`The inbound SMTP server could not start on ${env.INBOUND_SMTP_HOST}:${env.INBOUND_SMTP_PORT}: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`Inbound SMTP server listening on ${env.INBOUND_SMTP_HOST}:${server.port}${env.INBOUND_TLS_CERT ? " (STARTTLS offered)" : ""}`);

// Connections still in a dialogue get a few seconds to finish; a message being stored is finished.
async function shutdown() {
  await server!.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
