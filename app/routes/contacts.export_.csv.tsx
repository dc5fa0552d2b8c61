import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { notFound, plainTextAnswer, requireStaff } from "~/utils/permissions.server.ts";
import { ContactListError, exportContactList, findContactList } from "~/domain/contact-lists/contact-lists.server.ts";
import { EXPORT_CHANNELS } from "~/domain/contact-lists/list-channels.ts";
import { NotFoundError } from "~/domain/not-found.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { csvDownload } from "~/utils/csv-download.server.ts";
import { requesterOf } from "~/utils/request.server.ts";

// POST /contacts/export/csv: the download itself. A POST because it writes the ledger's access
// event (GET never changes state); the page at /contacts/export shows the list's size first.

const Slug = z.string({ error: "is missing" }).min(1, "is missing").max(100, "is too long");
const ExportRequest = z.object({
  unit: Slug,
  topic: Slug,
  channel: z.enum(EXPORT_CHANNELS, { error: "must be POSTAL or PHONE" }),
});

export async function loader() {
  return redirect("/contacts/export");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireStaff(request, "plain text");
  const parsed = await parseForm(request, ExportRequest);
  if (!parsed.ok) {
    const [field, message] = Object.entries(parsed.errors)[0];
    return plainTextAnswer(400, `This export request is incomplete: ${field} ${message}. Pick a list at /contacts/export.`);
  }
  let list;
  try {
    list = await findContactList(staff, parsed.value);
  } catch (error) {
    if (error instanceof ContactListError) return plainTextAnswer(400, error.message);
    if (error instanceof NotFoundError) notFound(undefined, "plain text");
    throw error;
  }
  const exported = await exportContactList(staff, list, requesterOf(request, context));
  return csvDownload(exported);
}
