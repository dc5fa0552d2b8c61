import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { EmailSchema } from "~/domain/consent/email.ts";
import { NOTE_MAX, REASON_LABEL } from "~/domain/suppressions/suppression-csv.ts";
import {
  addManualSuppression,
  adminActor,
  listSuppressions,
  removeSuppression,
  SOFT_BOUNCE_EXPLAINED,
  suppressionCounts,
  SuppressionError,
  WHY_NOT_REMOVABLE,
} from "~/domain/suppressions/suppressions.server.ts";
import { BreakableAddress } from "~/components/breakable-address.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { formatMoment } from "~/utils/format.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import ledgerStyles from "~/styles/admin-ledger.css";

// /admin/suppressions: the addresses no promotional email goes to. Admins search them, add a
// manual block with a note, and remove manual and repeated-soft-bounce blocks; hard bounces,
// complaints and erasures stay.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: ledgerStyles },
];
export const meta: MetaFunction = () => [{ title: "Suppressions — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

const NO_STORE = { "Cache-Control": "no-store" };
const Reason = z.enum(["MANUAL", "COMPLAINT", "HARD_BOUNCE", "SOFT_BOUNCE", "ERASED"], { error: "is not a kind of suppression" });
const StillBlocked = z.enum(["COMPLAINT", "HARD_BOUNCE", "SOFT_BOUNCE", "MANUAL", "ERASED"]);

const ListQuery = z.object({
  q: z.string().max(254, "is too long: an email address has at most 254 characters").optional(),
  reason: z.union([z.literal(""), Reason]).optional(),
  before: z.coerce.number().int().positive().optional(),
  done: z.enum(["added", "removed", "removed-soft"]).optional(),
  still: z.string().max(100).optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  const user = { email: staff.email, role: staff.role };
  const parsed = ListQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  const counts = await suppressionCounts();
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const problem = `The ${String(issue.path[0])} in this address ${issue.message}. Start again from the newest entries.`;
    return data({ user, counts, problem, q: "", reason: "", page: null, done: null, still: [] }, { status: 400, headers: NO_STORE });
  }
  const { q = "", reason = "", before, done, still } = parsed.data;
  const page = await listSuppressions({ address: q, reason: reason || undefined }, before);
  const stillBlocked = (still ?? "").split(",").filter((r) => StillBlocked.safeParse(r).success) as z.infer<typeof StillBlocked>[];
  return data({ user, counts, problem: null, q, reason, page, done: done ?? null, still: stillBlocked }, { headers: NO_STORE });
}

const NOT_ASKED = "This form asked for nothing this page does. Use the buttons on the page.";
const SuppressionRequest = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("add"),
      email: EmailSchema,
      note: z
        .string({ error: "Say why this address is blocked" })
        .trim()
        .min(1, "Say why this address is blocked (for example: asked by phone to stop all mail)")
        .max(NOTE_MAX, `Keep the note under ${NOTE_MAX} characters`),
    }),
    z.object({ intent: z.literal("remove"), id: z.coerce.number({ error: "Choose an entry to remove" }).int().positive("Choose an entry to remove") }),
  ],
  { error: NOT_ASKED },
);

type ActionAnswer = { form: "add" | "remove"; errors: Record<string, string>; values: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireAdmin(request);
  const actor = adminActor(staffActor(staff, requesterOf(request, context)));
  const parsed = await parseForm(request, SuppressionRequest);
  const answer = (form: ActionAnswer["form"], errors: Record<string, string>, status: number, typed: { email?: string; note?: string } = {}) =>
    data<ActionAnswer>({ form, errors, values: { email: typed.email ?? "", note: typed.note ?? "" } }, { status, headers: NO_STORE });

  if (!parsed.ok) {
    if (parsed.errors.intent) return answer("add", { form: NOT_ASKED }, 400, parsed.values);
    // The remove buttons have no fields of their own: their problem is shown above the list.
    if (parsed.values.intent === "remove") return answer("remove", { form: Object.values(parsed.errors)[0] }, parsed.status);
    return answer("add", parsed.errors, parsed.status, parsed.values);
  }
  const asked = parsed.value;
  if (asked.intent === "add") {
    try {
      const added = await addManualSuppression(actor, { email: asked.email, note: asked.note });
      return redirect(`/admin/suppressions?${new URLSearchParams({ q: added.email, done: "added" })}`);
    } catch (error) {
      if (error instanceof SuppressionError) return answer("add", { [error.field ?? "form"]: error.message }, error.status, asked);
      throw error;
    }
  }
  try {
    const removed = await removeSuppression(actor, asked.id);
    // The address goes along so the confirmation names it, and the list shows what still blocks it.
    const params = new URLSearchParams({ q: removed.email, done: removed.reason === "SOFT_BOUNCE" ? "removed-soft" : "removed" });
    if (removed.stillSuppressedBy.length > 0) params.set("still", removed.stillSuppressedBy.join(","));
    return redirect(`/admin/suppressions?${params}`);
  } catch (error) {
    if (error instanceof SuppressionError) return answer("remove", { form: error.message }, error.status);
    throw error;
  }
}

const REASONS = ["MANUAL", "HARD_BOUNCE", "SOFT_BOUNCE", "COMPLAINT", "ERASED"] as const;
const COUNTED: Record<(typeof REASONS)[number], [string, string]> = {
  MANUAL: ["manual", "manual"],
  HARD_BOUNCE: ["hard bounce", "hard bounces"],
  SOFT_BOUNCE: ["repeated soft bounce", "repeated soft bounces"],
  COMPLAINT: ["spam complaint", "spam complaints"],
  ERASED: ["erased", "erased"],
};

export default function SuppressionsRoute() {
  const { user, counts, problem, q, reason, page, done, still } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const addErrors = answer?.form === "add" ? answer.errors : {};
  const removeError = answer?.form === "remove" ? answer.errors.form : null;
  const total = REASONS.reduce((n, r) => n + counts[r], 0);
  // "Added" and "Removed" describe the post that led here: once anything else has been asked
  // (another add or removal answered on this page, a search), they would describe the past.
  const shownDone = answer ? null : done;
  const query = (extra: Record<string, string>) => `?${new URLSearchParams({ ...(q ? { q } : {}), ...(reason ? { reason } : {}), ...extra })}`;

  return (
    <StaffFrame user={user} title="Suppressions">
      <p className="lede">
        Addresses that get no promotional email from any unit. {total.toLocaleString("en-GB")} {total === 1 ? "entry" : "entries"}:{" "}
        {REASONS.map((r) => `${counts[r].toLocaleString("en-GB")} ${counts[r] === 1 ? COUNTED[r][0] : COUNTED[r][1]}`).join(", ")}. Hard bounces and
        erasures also stop service mail.
      </p>

      {shownDone === "added" && page?.entries.some((e) => e.reason === "MANUAL" && e.email === page.exactAddress) ? (
        <div className="form-message success" role="status">
          <p>
            Added a manual suppression for {page?.exactAddress}. No promotional email goes to this address until it is removed; service mail still
            does.
          </p>
        </div>
      ) : null}
      {shownDone === "removed" || shownDone === "removed-soft" ? (
        <div className="form-message success" role="status">
          <p>Removed the {shownDone === "removed-soft" ? "soft-bounce" : "manual"} suppression{q ? ` for ${q}` : ""}. The person gets promotional email again only where they are subscribed and have not opted out.</p>
          {still.length > 0 ? <p>The address is still blocked by: {still.map((r) => REASON_LABEL[r].toLowerCase()).join(", ")}.</p> : null}
        </div>
      ) : null}
      {removeError ? (
        <div className="form-message error" role="alert">
          <p>{removeError}</p>
        </div>
      ) : null}

      <section className="staff-panel" aria-labelledby="add-heading">
        <h2 id="add-heading">Add a manual suppression</h2>
        <Form method="post" className="suppression-add" noValidate>
          <input type="hidden" name="intent" value="add" />
          <div className={`field${addErrors.email ? " has-error" : ""}`}>
            <label htmlFor="add-email">Email address</label>
            <input
              id="add-email"
              name="email"
              type="email"
              autoComplete="off"
              maxLength={254}
              required
              defaultValue={answer?.form === "add" ? answer.values.email : ""}
              aria-invalid={addErrors.email ? true : undefined}
              aria-describedby={addErrors.email ? "add-email-error" : undefined}
            />
            {addErrors.email ? (
              <p id="add-email-error" className="field-error">
                {addErrors.email}
              </p>
            ) : null}
          </div>
          <div className={`field${addErrors.note ? " has-error" : ""}`}>
            <label htmlFor="add-note">Reason</label>
            <input
              id="add-note"
              name="note"
              type="text"
              maxLength={NOTE_MAX}
              required
              placeholder="Asked by phone to stop all marketing"
              defaultValue={answer?.form === "add" ? answer.values.note : ""}
              aria-invalid={addErrors.note ? true : undefined}
              aria-describedby={addErrors.note ? "add-note-error" : undefined}
            />
            {addErrors.note ? (
              <p id="add-note-error" className="field-error">
                {addErrors.note}
              </p>
            ) : null}
          </div>
          <div className="form-actions">
            <button type="submit" className="button" disabled={busy}>
              Add suppression
            </button>
          </div>
          {addErrors.form ? (
            <div className="form-message error" role="alert">
              <p>{addErrors.form}</p>
            </div>
          ) : null}
        </Form>
        <p className="hint">
          Many at once: <Link to="/admin/suppressions/import">import a CSV file</Link>.
        </p>
      </section>

      <h2 id="list-heading">Entries</h2>
      <form method="get" className="staff-panel ledger-filters suppression-search" role="search" aria-label="Search suppressions">
        <div className="filter">
          <label htmlFor="q">Address, or part of one</label>
          <input id="q" name="q" type="search" defaultValue={q} maxLength={254} placeholder="jane@example.com" aria-describedby="q-hint" />
        </div>
        <div className="filter">
          <label htmlFor="reason">Kind</label>
          <select id="reason" name="reason" defaultValue={reason}>
            <option value="">Every kind</option>
            {REASONS.map((r) => (
              <option key={r} value={r}>
                {REASON_LABEL[r]}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-actions">
          <button type="submit" className="button secondary">
            Search
          </button>
          {q || reason ? <Link to="/admin/suppressions">Show all</Link> : null}
        </div>
        <p id="q-hint" className="hint search-hint">
          A whole address also finds erased entries, by their hash.
        </p>
      </form>

      {problem ? (
        <div className="form-message error" role="alert">
          <p>{problem}</p>
          <p>
            <Link to="/admin/suppressions">Newest entries</Link>
          </p>
        </div>
      ) : null}

      {page ? (
        <>
          {page.entries.length === 0 ? (
            <p className="empty">{q ? `No suppression for “${q}”${reason ? ` of this kind` : ""}.` : "No suppressions here."}</p>
          ) : (
            <table className="staff-table suppression-table stack-table">
              <caption className="visually-hidden">Suppressions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Address</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Note</th>
                  <th scope="col">Added (UTC)</th>
                  <th scope="col">
                    <span className="visually-hidden">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.entries.map((entry) => (
                  <tr key={entry.id}>
                    <td data-label="Address" className="address">
                      {entry.email ? <BreakableAddress email={entry.email} /> : <span className="hash-only">erased (hash only)</span>}
                    </td>
                    <td data-label="Kind">
                      <span className={`status-badge reason-${entry.reason.toLowerCase()}`}>{REASON_LABEL[entry.reason]}</span>
                    </td>
                    <td data-label="Note" className="note">
                      {entry.note ?? ""}
                    </td>
                    <td data-label="Added" className="when">
                      {formatMoment(entry.createdAt)}
                    </td>
                    <td data-label="" className="row-action">
                      {entry.removable ? (
                        <Form method="post">
                          <input type="hidden" name="intent" value="remove" />
                          <input type="hidden" name="id" value={entry.id} />
                          <button
                            type="submit"
                            className="link-button"
                            disabled={busy}
                            aria-label={`Remove the ${entry.reason === "SOFT_BOUNCE" ? "soft-bounce" : "manual"} suppression of ${entry.email}`}
                          >
                            Remove
                          </button>
                        </Form>
                      ) : (
                        <a href={`#why-${entry.email ? entry.reason.toLowerCase() : "erased"}`} className="why-link">
                          Why it stays
                        </a>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <nav className="pager" aria-label="Pages of suppressions">
            {page.nextBeforeId ? <Link to={query({ before: String(page.nextBeforeId) })}>Older entries →</Link> : <span />}
          </nav>
        </>
      ) : null}

      <section className="staff-panel" aria-labelledby="files-heading">
        <h2 id="files-heading">Files</h2>
        <p>
          <Link to="/admin/suppressions/import">Import a CSV file</Link> of <code>email,reason,note</code> lines.
        </p>
        <form method="post" action="/admin/suppressions.csv" className="export-form">
          <label htmlFor="export-reason">Download as CSV</label>
          <select id="export-reason" name="reason" defaultValue="">
            <option value="">Every kind with an address</option>
            <option value="MANUAL">{REASON_LABEL.MANUAL}</option>
            <option value="HARD_BOUNCE">{REASON_LABEL.HARD_BOUNCE}</option>
            <option value="SOFT_BOUNCE">{REASON_LABEL.SOFT_BOUNCE}</option>
            <option value="COMPLAINT">{REASON_LABEL.COMPLAINT}</option>
          </select>
          <button type="submit" className="button secondary">
            Download
          </button>
        </form>
        <p className="hint">
          The file never holds erased entries: they keep only a hash of the address, and no hash leaves the product. The download is recorded in the
          audit log.
        </p>
      </section>

      <section aria-labelledby="why-heading">
        <h2 id="why-heading">Why some entries cannot be removed</h2>
        <dl className="why-list">
          <dt id="why-soft_bounce">{REASON_LABEL.SOFT_BOUNCE} (removable)</dt>
          <dd>{SOFT_BOUNCE_EXPLAINED}</dd>
          <dt id="why-hard_bounce">{REASON_LABEL.HARD_BOUNCE}</dt>
          <dd>{WHY_NOT_REMOVABLE.HARD_BOUNCE}</dd>
          <dt id="why-complaint">{REASON_LABEL.COMPLAINT}</dt>
          <dd>{WHY_NOT_REMOVABLE.COMPLAINT}</dd>
          <dt id="why-erased">{REASON_LABEL.ERASED}</dt>
          <dd>{WHY_NOT_REMOVABLE.ERASED} Other entries of an erased address keep only the hash too, and stay.</dd>
        </dl>
      </section>
    </StaffFrame>
  );
}
