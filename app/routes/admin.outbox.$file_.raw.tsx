import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireStaff } from "~/domain/accounts/staff.server.ts";
import { outboxReaderFor, readOutboxSource } from "~/domain/mail/outbox-browse.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { answeringInPlainText } from "~/utils/resource-route.server.ts";

// /admin/outbox/<file>/raw: the .eml file byte for byte, as a download.
export function loader({ request, params }: LoaderFunctionArgs) {
  return answeringInPlainText(async () => {
    const staff = await requireStaff(request);
    const fileName = params.file ?? "";
    const source = await readOutboxSource(getEnv().OUTBOX_DIR, await outboxReaderFor(staff), fileName);
    if (!source) notFound("There is no such message in the outbox, or it is not yours to see.");
    return new Response(new Uint8Array(source), {
      headers: {
        "Content-Type": "message/rfc822",
        // The name matched the transport's pattern, so it needs no quoting beyond the quotes.
        "Content-Disposition": `attachment; filename="${fileName}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  });
}
