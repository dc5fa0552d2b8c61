// The two pages that take a CSV file, and the largest file each takes. Read by the pages and by
// the HTTP edge (scripts/start.ts), which refuses a larger body on that path before any route.

export type UploadLimit = { path: string; maxBytes: number; label: string };

export const UPLOAD_LIMITS = {
  /** Contact import: about 100,000 rows with addresses. */
  contacts: { path: "/contacts/import", maxBytes: 20 * 1024 * 1024, label: "20 MB" },
  /** Suppression import: 20,000 lines with notes. */
  suppressions: { path: "/admin/suppressions/import", maxBytes: 5 * 1024 * 1024, label: "5 MB" },
} satisfies Record<string, UploadLimit>;

/** What a person is told when their file is over the limit. */
export function fileTooLarge(limit: UploadLimit): string {
  return `That file is larger than ${limit.label}. Split it into smaller files and import each one.`;
}
