import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireStaff } from "~/utils/permissions.server.ts";
import { outboxReaderFor, readOutboxHtml } from "~/domain/mail/outbox-browse.server.ts";
import { getEnv } from "~/utils/env.server.ts";

// /admin/outbox/<file>/html: a message's HTML part for the frame on its page. The email is
// someone else's HTML: no script, no fetch, no form may run, even if this is opened on its own.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "img-src https: data:",
  "style-src 'unsafe-inline'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  "sandbox allow-popups allow-popups-to-escape-sandbox",
].join("; ");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request, "plain text");
  const html = await readOutboxHtml(getEnv().OUTBOX_DIR, await outboxReaderFor(staff), params.file ?? "");
  if (html === null) notFound("There is no such message in the outbox, it has no HTML part, or it is not yours to see.", "plain text");
  return new Response(html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": CONTENT_SECURITY_POLICY,
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
