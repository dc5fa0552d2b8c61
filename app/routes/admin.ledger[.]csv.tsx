import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { plainTextAnswer, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { ledgerQueryString, parseLedgerQuery, type LedgerQuery, type LedgerQueryErrors } from "~/domain/ledger/ledger-query.ts";
import { exportLedger, resolveLedgerQuery } from "~/domain/ledger/ledger.server.ts";
import { formFields } from "~/utils/forms.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { readForm } from "~/utils/read-form.server.ts";

// POST /admin/ledger.csv?<the page's filters>: the events the ledger page finds, as a CSV
// file for an auditor. A POST because each download is written to the audit log (GET never
// changes state); a GET goes back to the page with the same filters.

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request, "plain text");
  return redirect(`/admin/ledger${new URL(request.url).search}`);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireAdmin(request, "plain text");
  // The filters ride in the query string, as on the page; form fields, if any, win.
  const fields = { ...Object.fromEntries(new URL(request.url).searchParams), ...formFields(await readForm(request)) };
  delete fields.before; // the file holds the whole result, not one page of it
  const parsed = parseLedgerQuery(fields);
  if (!parsed.ok) return badSearch(parsed.errors);
  const resolved = await resolveLedgerQuery(parsed.query);
  if (!resolved.ok) return badSearch(resolved.errors, parsed.query);
  const exported = await exportLedger(staffActor(staff, requesterOf(request, context)), resolved.scope);
  return new Response(exported.csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${exported.fileName}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "X-Row-Count": String(exported.rows),
    },
  });
}

function badSearch(errors: LedgerQueryErrors, query?: LedgerQuery): Response {
  const page = `/admin/ledger${query ? ledgerQueryString(query) : ""}`;
  return plainTextAnswer(400, `This export cannot be made as asked. ${Object.values(errors).join(" ")} Correct the search at ${page}.`);
}
