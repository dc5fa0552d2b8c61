import { Form, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";

// The upload form of the pages that import a CSV file (contacts, suppressions): the page's own
// fields, the file with what the page takes, and each mistake beside its field. A plain
// multipart form: works without JavaScript.

export function CsvUploadForm({ hint, errors, children }: { hint: ReactNode; errors?: Record<string, string>; children?: ReactNode }) {
  const importing = useNavigation().state === "submitting";
  return (
    <section className="staff-panel" aria-labelledby="upload-heading">
      <h2 id="upload-heading">Upload a file</h2>
      <Form method="post" encType="multipart/form-data">
        {children}
        <div className={`field${errors?.file ? " has-error" : ""}`}>
          <label htmlFor="field-file">CSV file</label>
          <p id="field-file-hint" className="hint">
            {hint}
          </p>
          <input
            id="field-file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            required
            aria-invalid={errors?.file ? true : undefined}
            aria-describedby={errors?.file ? "field-file-hint field-file-error" : "field-file-hint"}
          />
          {errors?.file ? (
            <p id="field-file-error" className="field-error" role="alert">
              {errors.file}
            </p>
          ) : null}
        </div>
        {errors?.form ? (
          <div className="form-message error" role="alert">
            <p>{errors.form}</p>
          </div>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button" disabled={importing}>
            {importing ? "Importing…" : "Import"}
          </button>
        </div>
      </Form>
    </section>
  );
}
