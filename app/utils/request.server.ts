import type { AppLoadContext } from "@remix-run/node";

/** Who sent a request, as recorded in the consent ledger: IP (from the server) and user agent. */
export function requesterOf(request: Request, context: AppLoadContext): { ip: string | null; userAgent: string | null } {
  return { ip: context.ip ?? null, userAgent: request.headers.get("user-agent")?.slice(0, 500) ?? null };
}
