import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, plainTextAnswer, requireStaff } from "~/utils/permissions.server.ts";
import { downloadOutboxMessage } from "~/domain/mail/outbox-browse.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { requesterOf } from "~/utils/request.server.ts";

// /admin/outbox/<file>/raw: the .eml file byte for byte, as a download: admins only, audited.
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const staff = await requireStaff(request, "plain text");
  const fileName = params.file ?? "";
  const download = await downloadOutboxMessage(getEnv().OUTBOX_DIR, staff, fileName, requesterOf(request, context));
  if (download.outcome === "not-found") notFound("There is no such message in the outbox, or it is not yours to see.", "plain text");
  if (download.outcome === "admins-only") {
    return plainTextAnswer(
      403,
      "The .eml file holds the recipient's working unsubscribe and preferences links: only admins can download it, and each download is recorded. The message's page shows it with those links removed.",
    );
  }
  return new Response(new Uint8Array(download.source), {
    headers: {
      "Content-Type": "message/rfc822",
      // The name matched the transport's pattern, so it needs no quoting beyond the quotes.
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
