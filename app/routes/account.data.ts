import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportAccountData } from "~/domain/accounts/account.server.ts";
import { requireUser } from "~/utils/permissions.server.ts";

// /account/data: "download my data", a JSON file of everything we hold about the signed-in person.

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const now = new Date();
  const body = JSON.stringify(await exportAccountData(user.id, now), null, 2);
  return new Response(body, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="my-data-${now.toISOString().slice(0, 10)}.json"`,
      "Cache-Control": "no-store",
    },
  });
}
