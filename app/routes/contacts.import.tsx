import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { staffUnits } from "~/domain/accounts/staff.server.ts";
import { notFound, requireStaff } from "~/utils/permissions.server.ts";
import { ConsentError } from "~/domain/consent/changes.server.ts";
import { ImportFileError, importContacts, type ImportReport, type ListedRow } from "~/domain/imports/contact-import.server.ts";
import { listedRowsCsv } from "~/domain/imports/listed-rows.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { BASES, CONSENT_MONTHS, HEADER, SKIP_REASON_LABEL, skippedTotal } from "~/domain/imports/contact-csv.ts";
import { UPLOAD_LIMITS } from "~/utils/upload-limits.ts";
import { CsvFile } from "~/utils/csv-upload.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { CsvUploadForm } from "~/components/csv-upload-form.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import importStyles from "~/styles/contacts-import.css";

// /contacts/import: a marketer or admin uploads a CSV of subscriptions for one of their units
// and reads the report. A plain multipart form: works without JavaScript.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: importStyles },
];
export const meta: MetaFunction = () => [{ title: "Import contacts — Preference Center" }];
export const headers = passThroughHeaders;

const NO_STORE = { "Cache-Control": "no-store" };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const units = await staffUnits(staff);
  return data({ user: { email: staff.email, role: staff.role }, units }, { headers: NO_STORE });
}

type Outcome =
  | { ok: true; unitId: number; fileName: string; report: ImportReport; rowsCsv: string | null }
  | { ok: false; errors: Record<string, string>; values: Record<string, string> };

const ImportRequest = z.object({
  unitId: z.coerce.number({ error: "Choose a unit." }).int("Choose a unit.").positive("Choose a unit."),
  file: CsvFile,
});

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireStaff(request);
  const answer = (outcome: Outcome, status = 200) => data<Outcome>(outcome, { status, headers: NO_STORE });
  const parsed = await parseForm(request, ImportRequest, { upload: { ...UPLOAD_LIMITS.contacts, field: "file" } });
  if (!parsed.ok) return answer({ ok: false, errors: parsed.errors, values: parsed.values }, parsed.status);
  const { unitId, file } = parsed.value;
  // Scoped in the query: another unit's id is a 404, whether or not it exists.
  const unit = (await staffUnits(staff)).find((u) => u.id === unitId) ?? notFound();
  const refused = (errors: Record<string, string>, status: number) => answer({ ok: false, errors, values: { unitId: String(unit.id) } }, status);
  try {
    const report = await importContacts({
      unitId: unit.id,
      input: { content: Buffer.from(await file.arrayBuffer()) },
      actor: `user:${staff.id}`,
      audit: { actor: staffActor(staff, requesterOf(request, context)), fileName: file.name },
    });
    const listed = report.badLines.length + report.skippedLines.length > 0;
    return answer({ ok: true, unitId: unit.id, fileName: file.name, report, rowsCsv: listed ? listedRowsCsv(report) : null });
  } catch (error) {
    if (error instanceof ImportFileError) return refused({ file: `Nothing was imported. ${error.message}` }, 400);
    // A topic archived while the file was being imported: the batches before it stay.
    if (error instanceof ConsentError) return refused({ form: `The import stopped part-way: ${error.message} Import the file again to finish it.` }, 409);
    throw error;
  }
}

const BASIS_NOTE: Record<string, string> = {
  express: "the person said yes",
  implied_purchase: "a purchase or contract",
  implied_inquiry: "the person asked about a product",
  soft_opt_in: "a sale, marketing similar products",
  legitimate_interest: "your legitimate interest",
};

function lasts(basis: keyof typeof CONSENT_MONTHS): string {
  const months = CONSENT_MONTHS[basis];
  if (months === null) return "until they opt out";
  return months % 12 === 0 ? `${months / 12} years from consented_at` : `${months} months from consented_at`;
}

export default function ImportContactsRoute() {
  const { user, units } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const errors = outcome && !outcome.ok ? outcome.errors : undefined;
  const chosenUnit = outcome ? (outcome.ok ? outcome.unitId : outcome.values.unitId) : undefined;

  return (
    <StaffFrame user={user} title="Import contacts">
      <div className="import-page">
        {units.length === 0 ? (
          <p className="staff-panel">You are not a member of any unit yet, so there is nowhere to import to. Ask an admin to add you to a unit.</p>
        ) : (
          <CsvUploadForm
            errors={errors}
            hint={
              <>
                A CSV file saved as UTF-8 (in Excel: &quot;CSV UTF-8&quot;), up to {UPLOAD_LIMITS.contacts.label} (about 100,000 rows). Importing the same file again changes nothing. Start from the{" "}
                <a href="/contacts/import/template.csv" download>
                  template CSV
                </a>
                .
              </>
            }
          >
            <div className={`field${errors?.unitId ? " has-error" : ""}`}>
              <label htmlFor="field-unitId">Unit</label>
              <select
                id="field-unitId"
                name="unitId"
                defaultValue={chosenUnit ?? units[0].id}
                aria-describedby={errors?.unitId ? "field-unitId-error" : undefined}
              >
                {units.map((unit) => (
                  <option key={unit.id} value={unit.id}>
                    {unit.displayName}
                  </option>
                ))}
              </select>
              {errors?.unitId ? (
                <p id="field-unitId-error" className="field-error">
                  {errors.unitId}
                </p>
              ) : null}
            </div>
          </CsvUploadForm>
        )}

        {outcome?.ok ? <ImportReportView fileName={outcome.fileName} report={outcome.report} rowsCsv={outcome.rowsCsv} /> : null}

        <section aria-labelledby="file-format">
          <h2 id="file-format">The file</h2>
          <p>
            One row per subscription; a person with several subscriptions has several rows. The first line is exactly <code>{HEADER}</code>, optionally followed
            by <code>postal_address</code> and <code>phone</code> (where postal and phone marketing reach the person).
          </p>
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
                <td>The person&apos;s email address.</td>
              </tr>
              <tr>
                <td>
                  <code>name</code>
                </td>
                <td>Optional. Fills in a contact that has no name; a name the person gave is kept.</td>
              </tr>
              <tr>
                <td>
                  <code>topic</code>
                </td>
                <td>The topic&apos;s slug in the chosen unit. The topic must offer the channel and not be archived.</td>
              </tr>
              <tr>
                <td>
                  <code>channel</code>
                </td>
                <td>
                  <code>email</code>, <code>postal</code> or <code>phone</code>.
                </td>
              </tr>
              <tr>
                <td>
                  <code>basis</code>
                </td>
                <td>
                  The consent basis; implied consent expires:
                  <ul>
                    {(Object.entries(BASES) as [string, keyof typeof CONSENT_MONTHS][]).map(([name, basis]) => (
                      <li key={name}>
                        <code>{name}</code> ({BASIS_NOTE[name]}): lasts {lasts(basis)}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
              <tr>
                <td>
                  <code>consented_at</code>
                </td>
                <td>
                  When consent was given, ISO 8601: <code>2024-03-01</code> or <code>2024-03-01T09:30:00Z</code> (no offset means UTC). Not in the future.
                </td>
              </tr>
              <tr>
                <td>
                  <code>source</code>
                </td>
                <td>Where the consent was collected (&quot;checkout 2024&quot;, &quot;trade fair stand&quot;): kept in the consent history.</td>
              </tr>
              <tr>
                <td>
                  <code>postal_address</code>
                </td>
                <td>Optional. Where postal mail reaches the person; a value with a comma or line break goes in &quot;double quotes&quot;.</td>
              </tr>
              <tr>
                <td>
                  <code>phone</code>
                </td>
                <td>
                  Optional. With its country code, e.g. <code>+44 20 7946 0958</code> or <code>0044 20 7946 0958</code>; kept as <code>+442079460958</code>
                  (E.164), the form dialers read.
                </td>
              </tr>
            </tbody>
          </table>
          <p>
            People who opted out of the topic, the unit or every unit on that channel, and addresses that bounced, complained, were blocked or erased, are never
            subscribed again: their rows are reported as skipped. Consent already in force is never weakened. Rows with mistakes are listed with their line
            numbers; the other rows are still imported.
          </p>
        </section>
      </div>
    </StaffFrame>
  );
}

// Rows shown on the page; the download holds every row kept (ROWS_LISTED of each).
const ROWS_SHOWN = 50;

function ImportReportView({ fileName, report, rowsCsv }: { fileName: string; report: ImportReport; rowsCsv: string | null }) {
  const skipped = Object.entries(report.skipped).filter(([, n]) => n > 0) as [keyof typeof SKIP_REASON_LABEL, number][];
  const skippedCount = skippedTotal(report);
  const base = (fileName || "import").replace(/\.csv$/i, "").replace(/[^A-Za-z0-9._-]+/g, "-");
  return (
    <section className="staff-panel" aria-labelledby="import-report" role="status">
      <h2 id="import-report">
        Imported {fileName || "the file"} into {report.unit.displayName}
      </h2>
      <table className="staff-table">
        <tbody>
          <tr>
            <th scope="row">Rows read</th>
            <td className="number">{report.rows}</td>
          </tr>
          <tr>
            <th scope="row">Subscribed</th>
            <td className="number">{report.subscribed}</td>
          </tr>
          <tr>
            <th scope="row">New contacts</th>
            <td className="number">{report.contactsCreated}</td>
          </tr>
          <tr>
            <th scope="row">Existing contacts given new details</th>
            <td className="number">{report.contactsUpdated}</td>
          </tr>
          <tr>
            <th scope="row">Unchanged (consent already in force)</th>
            <td className="number">{report.unchanged}</td>
          </tr>
          <tr>
            <th scope="row">Skipped</th>
            <td className="number">{skippedCount}</td>
          </tr>
          <tr>
            <th scope="row">Bad rows</th>
            <td className="number">{report.bad}</td>
          </tr>
        </tbody>
      </table>
      {rowsCsv ? (
        <p>
          {/* A data: link downloads without JavaScript and without keeping the rows on the server. */}
          <a href={`data:text/csv;charset=utf-8,${encodeURIComponent(rowsCsv)}`} download={`${base}-rows-not-imported.csv`}>
            Download the bad and skipped rows (CSV)
          </a>{" "}
          with their line, address and reason.
        </p>
      ) : null}
      {skipped.length > 0 ? (
        <>
          <h3>Skipped</h3>
          <ul>
            {skipped.map(([reason, n]) => (
              <li key={reason}>
                {n} — {SKIP_REASON_LABEL[reason]}
              </li>
            ))}
          </ul>
          <ListedRows caption="Skipped rows" rows={report.skippedLines} total={skippedCount} />
        </>
      ) : null}
      {report.bad > 0 ? (
        <>
          <h3>Bad rows</h3>
          <ListedRows caption="Bad rows" rows={report.badLines} total={report.bad} />
          <p>Fix the bad rows and import the file again: rows already imported stay as they are.</p>
        </>
      ) : null}
    </section>
  );
}

function ListedRows({ caption, rows, total }: { caption: string; rows: ListedRow[]; total: number }) {
  const shown = rows.slice(0, ROWS_SHOWN);
  return (
    <>
      <div className="table-scroll">
        <table className="staff-table listed-rows">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col" className="number">
                Line
              </th>
              <th scope="col">Address</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={row.line}>
                <td className="number">{row.line}</td>
                <td className="address">{row.email}</td>
                <td>{row.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {total > shown.length ? (
        <p>
          … and {total - shown.length} more (the download holds the first {rows.length}).
        </p>
      ) : null}
    </>
  );
}
