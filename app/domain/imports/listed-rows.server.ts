import { stringify } from "csv-stringify/sync";
import { inertCell } from "~/utils/csv-cells.ts";
import type { ListedRow } from "./contact-import.server.ts";

// The rows of an import that did not go in, as a CSV file the marketer opens beside their own
// to fix it: every cell through the formula guard, since an address or reason repeats what the
// file said and a file can say "=HYPERLINK(…)".

export const LISTED_ROWS_HEADER = ["line", "email", "outcome", "reason"];

export function listedRowsCsv(report: { badLines: ListedRow[]; skippedLines: ListedRow[] }): string {
  const rows = [
    ...report.badLines.map((row) => ({ ...row, outcome: "bad row" })),
    ...report.skippedLines.map((row) => ({ ...row, outcome: "skipped" })),
  ].sort((a, b) => a.line - b.line);
  return stringify([LISTED_ROWS_HEADER, ...rows.map((row) => [String(row.line), row.email, row.outcome, row.reason].map(inertCell))], { record_delimiter: "\r\n" });
}
