import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { plainTextAnswer, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { adminActor, exportSuppressions } from "~/domain/suppressions/suppressions.server.ts";
import { IMPORTABLE_REASONS } from "~/domain/suppressions/suppression-csv.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { csvDownload } from "~/utils/csv-download.server.ts";
import { requesterOf } from "~/utils/request.server.ts";

// POST /admin/suppressions.csv: the suppression list as a file. A POST because each download
// is written to the audit log (GET never changes state); a GET goes back to the page.

const ExportRequest = z.object({
  reason: z
    .union([z.literal(""), z.enum(IMPORTABLE_REASONS)], {
      error: "must be MANUAL, COMPLAINT, HARD_BOUNCE or SOFT_BOUNCE (erased entries are never exported)",
    })
    .optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request, "plain text");
  return redirect("/admin/suppressions");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireAdmin(request, "plain text");
  const parsed = await parseForm(request, ExportRequest);
  if (!parsed.ok)
    return plainTextAnswer(400, `This export request cannot be read: reason ${parsed.errors.reason}. Choose from the form at /admin/suppressions.`);
  const exported = await exportSuppressions(adminActor(staffActor(staff, requesterOf(request, context))), {
    reason: parsed.value.reason || undefined,
  });
  return csvDownload(exported);
}
