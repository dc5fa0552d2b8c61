// The answer of the routes that hand a CSV file over (ledger, suppressions, postal and phone lists),
// streamed as it is written.

/** The file as an attachment: never cached (it holds personal data) and never read as anything but CSV. */
export function csvDownload(file: { csv: BodyInit; fileName: string }, headers: Record<string, string> = {}): Response {
  return new Response(file.csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${file.fileName}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      ...headers,
    },
  });
}
