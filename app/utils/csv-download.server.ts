// The answer of the routes that hand a CSV file over (ledger, suppressions, postal and phone lists),
// streamed as it is written.

/** The file as an attachment: never cached (it holds personal data) and never read as anything but CSV. */
export function csvDownload(file: { csv: BodyInit; fileName: string }, headers: Record<string, string> = {}): Response {
  return fileDownload(file.csv, { fileName: file.fileName, contentType: "text/csv; charset=utf-8" }, headers);
}

/** Any file handed over as an attachment of one type: never cached, never sniffed as another type. */
export function fileDownload(body: BodyInit, file: { fileName: string; contentType: string }, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Disposition": `attachment; filename="${file.fileName}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      ...headers,
    },
  });
}
