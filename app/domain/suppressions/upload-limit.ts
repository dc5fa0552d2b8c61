// The largest suppression file the import page takes (20,000 lines with notes). Read by
// scripts/start.ts, which refuses larger request bodies on that one path before Remix.

export const SUPPRESSION_IMPORT_PATH = "/admin/suppressions/import";
export const SUPPRESSION_UPLOAD_MAX_BYTES = 5 * 1024 * 1024;
export const SUPPRESSION_UPLOAD_MAX_LABEL = "5 MB";
