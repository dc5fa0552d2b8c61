import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireAdmin } from "~/domain/accounts/staff.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { adminActor, exportSuppressions } from "~/domain/suppressions/suppressions.server.ts";
import { IMPORTABLE_REASONS } from "~/domain/suppressions/suppression-csv.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { csvDownload } from "~/utils/csv-download.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { answeringInPlainText, plainTextAnswer } from "~/utils/resource-route.server.ts";

// POST /admin/suppressions.csv: the suppression list as a file. A POST because each download
// is written to the audit log (GET never changes state); a GET goes back to the page.

const ExportRequest = z.object({
  reason: z
    .union([z.literal(""), z.enum(IMPORTABLE_REASONS)], {
      error: "must be MANUAL, COMPLAINT or HARD_BOUNCE (erased entries are never exported)",
    })
    .optional(),
});

export function loader({ request }: LoaderFunctionArgs) {
  return answeringInPlainText(async () => {
    await requireAdmin(request);
    return redirect("/admin/suppressions");
  });
}

export function action({ request, context }: ActionFunctionArgs) {
  return answeringInPlainText(async () => {
    const staff = await requireAdmin(request);
    const parsed = await parseForm(request, ExportRequest);
    if (!parsed.ok)
      return plainTextAnswer(400, `This export request cannot be read: reason ${parsed.errors.reason}. Choose from the form at /admin/suppressions.`);
    const exported = await exportSuppressions(adminActor(staffActor(staff, requesterOf(request, context))), {
      reason: parsed.value.reason || undefined,
    });
    return csvDownload(exported);
  });
}
