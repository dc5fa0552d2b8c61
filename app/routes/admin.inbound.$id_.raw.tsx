import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireAdmin } from "~/utils/permissions.server.ts";
import { inboundMessage, rawFileName } from "~/domain/feedback/inbound-list.server.ts";

// /admin/inbound/<id>/raw: the message as it arrived, as a file: plain text, never a page.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request, "plain text");
  const id = /^\d{1,9}$/.test(params.id ?? "") ? Number(params.id) : null;
  const message = id ? await inboundMessage(id) : null;
  if (!message || message.raw === null) notFound("Nothing that came back has this number, or its raw text was not kept.", "plain text");
  return new Response(message.raw, {
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Disposition": `attachment; filename="${rawFileName(message)}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
    },
  });
}
