import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportAccountData } from "~/domain/accounts/account.server.ts";
import { requireUser } from "~/utils/permissions.server.ts";

// /account/data: "download my data", a JSON file of everything we hold about the signed-in
// person. Streamed as it is read: a long history never sits in memory whole.

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const chunks = await exportAccountData(user.id, now);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="my-data-${now.toISOString().slice(0, 10)}.json"`,
      "Cache-Control": "no-store",
    },
  });
}
