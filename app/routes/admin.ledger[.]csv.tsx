import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { plainTextAnswer, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { FIELD_NAME, ledgerQueryString, parseLedgerQuery, type LedgerQuery, type LedgerQueryErrors } from "~/domain/ledger/ledger-query.ts";
import { exportLedger, resolveLedgerQuery } from "~/domain/ledger/ledger.server.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { csvDownload } from "~/utils/csv-download.server.ts";
import { requesterOf } from "~/utils/request.server.ts";

// POST /admin/ledger.csv?<the page's filters>: the events the ledger page finds, as a CSV
// file for an auditor. A POST because each download is written to the audit log (GET never
// changes state); a GET goes back to the page with the same filters.

// The page's filters as the form may post them, each once; the ledger's own rules read them below.
const PostedFilters = z.object(
  Object.fromEntries(Object.keys(FIELD_NAME).map((name) => [name, z.string({ error: "Each filter may be given once." }).optional()])) as Record<
    keyof LedgerQuery,
    z.ZodOptional<z.ZodString>
  >,
);

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request, "plain text");
  return redirect(`/admin/ledger${new URL(request.url).search}`);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireAdmin(request, "plain text");
  // The filters ride in the query string, as on the page; form fields, if any, win.
  const posted = await parseForm(request, PostedFilters);
  if (!posted.ok) return badSearch(posted.errors);
  const fields: Record<string, string> = Object.fromEntries(new URL(request.url).searchParams);
  for (const [name, value] of Object.entries(posted.value)) if (value !== undefined) fields[name] = value;
  delete fields.before; // the file holds the whole result, not one page of it
  const parsed = parseLedgerQuery(fields);
  if (!parsed.ok) return badSearch(parsed.errors);
  const resolved = await resolveLedgerQuery(parsed.query);
  if (!resolved.ok) return badSearch(resolved.errors, parsed.query);
  const exported = await exportLedger(staffActor(staff, requesterOf(request, context)), resolved.scope);
  return csvDownload(exported, { "X-Row-Count": String(exported.rows) });
}

function badSearch(errors: LedgerQueryErrors, query?: LedgerQuery): Response {
  const page = `/admin/ledger${query ? ledgerQueryString(query) : ""}`;
  return plainTextAnswer(400, `This export cannot be made as asked. ${Object.values(errors).join(" ")} Correct the search at ${page}.`);
}
