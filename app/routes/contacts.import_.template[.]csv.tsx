import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "~/utils/permissions.server.ts";
import { TEMPLATE_CSV } from "~/domain/imports/contact-csv.ts";
import { csvDownload } from "~/utils/csv-download.server.ts";

// GET /contacts/import/template.csv: the import file's header with one example row per
// channel, to fill in. Holds no personal data and changes nothing.

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "plain text");
  return csvDownload({ csv: TEMPLATE_CSV, fileName: "contacts-import-template.csv" });
}
