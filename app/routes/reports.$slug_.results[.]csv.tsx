import type { LoaderFunctionArgs } from "@remix-run/node";
import { answering404, plainTextAnswer, requireStaff } from "~/utils/permissions.server.ts";
import { resultsCsv, unitResults } from "~/domain/reports/unit-results.server.ts";
import { parsePeriod } from "~/domain/reports/results-period.ts";
import { csvDownload } from "~/utils/csv-download.server.ts";

// GET /reports/:slug/results.csv?from=&to=: the dashboard's table as a file. A GET: it changes
// nothing and holds no one's personal data (counts and rates per campaign), so no audit entry.

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request, "plain text");
  const asked = parsePeriod(new URL(request.url).searchParams, new Date());
  if (!asked.ok) return plainTextAnswer(400, `These results cannot be exported: ${asked.error}`);
  return answering404(async () => csvDownload(resultsCsv(await unitResults(staff, params.slug ?? "", asked.period))));
}
