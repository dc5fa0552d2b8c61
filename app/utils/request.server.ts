import type { AppLoadContext } from "@remix-run/node";

/** Who sent a request, as recorded in the consent ledger and on sessions. */
export type Requester = { ip: string | null; userAgent: string | null };

/** The requester of a Remix request: IP (from the server) and user agent. */
export function requesterOf(request: Request, context: AppLoadContext): Requester {
  return { ip: context.ip ?? null, userAgent: request.headers.get("user-agent")?.slice(0, 500) ?? null };
}
