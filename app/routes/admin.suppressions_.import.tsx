import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { IMPORT_HEADER, IMPORT_MAX_ROWS, NOTE_MAX, REASON_LABEL, SuppressionFileError } from "~/domain/suppressions/suppression-csv.ts";
import { adminActor, importSuppressions, type SuppressionImportReport } from "~/domain/suppressions/suppressions.server.ts";
import { UPLOAD_LIMITS } from "~/utils/upload-limits.ts";
import { CsvFile } from "~/utils/csv-upload.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { CsvUploadForm } from "~/components/csv-upload-form.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import ledgerStyles from "~/styles/admin-ledger.css";

// /admin/suppressions/import: an admin uploads a CSV of addresses to block and reads the
// report. A plain multipart form: works without JavaScript.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: ledgerStyles },
];
export const meta: MetaFunction = () => [{ title: "Import suppressions — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

const NO_STORE = { "Cache-Control": "no-store" };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  return data({ user: { email: staff.email, role: staff.role } }, { headers: NO_STORE });
}

type Outcome = { ok: true; fileName: string; report: SuppressionImportReport } | { ok: false; errors: Record<string, string> };

const ImportRequest = z.object({ file: CsvFile });

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireAdmin(request);
  const answer = (outcome: Outcome, status = 200) => data<Outcome>(outcome, { status, headers: NO_STORE });
  const parsed = await parseForm(request, ImportRequest, { upload: { ...UPLOAD_LIMITS.suppressions, field: "file" } });
  if (!parsed.ok) return answer({ ok: false, errors: parsed.errors }, parsed.status);
  const { file } = parsed.value;
  const fileName = file.name.slice(0, 200) || "upload.csv";
  try {
    const report = await importSuppressions(adminActor(staffActor(staff, requesterOf(request, context))), {
      name: fileName,
      content: Buffer.from(await file.arrayBuffer()),
    });
    return answer({ ok: true, fileName, report });
  } catch (error) {
    if (error instanceof SuppressionFileError) return answer({ ok: false, errors: { file: `Nothing was imported. ${error.message}` } }, 400);
    throw error;
  }
}

export default function ImportSuppressionsRoute() {
  const { user } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  return (
    <StaffFrame user={user} title="Import suppressions">
      <p className="lede">
        <Link to="/admin/suppressions">← Suppressions</Link>
      </p>
      <CsvUploadForm
        errors={outcome && !outcome.ok ? outcome.errors : undefined}
        hint={
          <>
            UTF-8 CSV, up to {UPLOAD_LIMITS.suppressions.label} and {IMPORT_MAX_ROWS.toLocaleString("en-GB")} lines. Importing the same file again
            changes nothing.
          </>
        }
      />

      {outcome?.ok ? <ImportReportView fileName={outcome.fileName} report={outcome.report} /> : null}

      <section aria-labelledby="format-heading">
        <h2 id="format-heading">The file</h2>
        <p>
          One address per line. The first line is the header <code>{IMPORT_HEADER}</code>; reason and note may be left out. A file downloaded from the
          suppressions page can be imported as it is.
        </p>
        <div className="table-scroll" role="region" aria-labelledby="format-heading" tabIndex={0}>
          <table className="staff-table">
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">What it holds</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>
                  <code>email</code>
                </td>
                <td>The address to block. Upper and lower case are the same address.</td>
              </tr>
              <tr>
                <td>
                  <code>reason</code>
                </td>
                <td>
                  <code>manual</code> (also when empty), <code>complaint</code>, <code>hard_bounce</code> or <code>soft_bounce</code>, say from an earlier sending service.
                  Never <code>erased</code>: an erasure is made only at the person&apos;s request.
                </td>
              </tr>
              <tr>
                <td>
                  <code>note</code>
                </td>
                <td>Optional, up to {NOTE_MAX} characters: why. Empty notes become “Imported from” and the file&apos;s name.</td>
              </tr>
            </tbody>
          </table>
        </div>
        <p className="hint">
          Addresses erased at the person&apos;s request are already blocked for every message, and are not stored again. Every address added is
          recorded in the consent ledger, and the import in the audit log.
        </p>
      </section>
    </StaffFrame>
  );
}

function ImportReportView({ fileName, report }: { fileName: string; report: SuppressionImportReport }) {
  return (
    <section className="staff-panel" aria-labelledby="report-heading">
      <h2 id="report-heading">Imported {fileName}</h2>
      <div className={`form-message ${report.bad > 0 ? "info" : "success"}`} role="status">
        <p>
          {report.rows.toLocaleString("en-GB")} {report.rows === 1 ? "line" : "lines"} read: {report.added.toLocaleString("en-GB")} added,{" "}
          {report.alreadySuppressed.toLocaleString("en-GB")} already suppressed, {report.erased.toLocaleString("en-GB")} erased,{" "}
          {report.bad.toLocaleString("en-GB")} bad.
        </p>
      </div>
      <dl className="report-figures">
        {(["MANUAL", "COMPLAINT", "HARD_BOUNCE", "SOFT_BOUNCE"] as const).map((reason) => (
          <div key={reason}>
            <dt>Added as {REASON_LABEL[reason].toLowerCase()}</dt>
            <dd>{report.addedByReason[reason].toLocaleString("en-GB")}</dd>
          </div>
        ))}
        <div>
          <dt>Already suppressed (or repeated in the file)</dt>
          <dd>{report.alreadySuppressed.toLocaleString("en-GB")}</dd>
        </div>
        <div>
          <dt>Erased addresses, not stored</dt>
          <dd>{report.erased.toLocaleString("en-GB")}</dd>
        </div>
      </dl>
      {report.bad > 0 ? (
        <>
          <h3>Bad lines: nothing was written for them</h3>
          <ul className="bad-lines">
            {report.badLines.map((bad) => (
              <li key={bad.line}>
                Line {bad.line}: {bad.reason}
              </li>
            ))}
          </ul>
          {report.bad > report.badLines.length ? <p>… and {(report.bad - report.badLines.length).toLocaleString("en-GB")} more bad lines.</p> : null}
          <p>Fix them and import the file again: lines already imported stay as they are.</p>
        </>
      ) : null}
    </section>
  );
}
