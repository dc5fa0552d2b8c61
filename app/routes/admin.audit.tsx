import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireAdmin } from "~/utils/permissions.server.ts";
import { listAudit } from "~/domain/audit/audit.server.ts";
import { knownAuditActions } from "~/domain/audit/audit-actions.server.ts";
import { FormMessage } from "~/components/account-ui.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { formatMoment } from "~/utils/format.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import peopleStyles from "~/styles/admin-people.css";

// /admin/audit: what admins did (who, what, target, when, from where), newest first, a page
// at a time. Filters are a plain GET form, so a filtered view is a link that can be shared.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: peopleStyles },
];
export const meta: MetaFunction = () => [{ title: "Audit log — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

const DAY_MS = 86_400_000;
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-05-03")
  .refine((day) => !Number.isNaN(new Date(`${day}T00:00:00Z`).getTime()), "must be a real date");
const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const AuditQuery = z
  .object({
    actor: z.preprocess(blankToUndefined, z.string().trim().max(254, "is too long").optional()),
    action: z.preprocess(blankToUndefined, z.string().trim().max(100, "is too long").optional()),
    target: z.preprocess(blankToUndefined, z.string().trim().regex(/^[a-z]+:[^\s]{1,100}$/, "must be written like campaign:12 or unit:3").optional()),
    from: z.preprocess(blankToUndefined, Day.optional()),
    to: z.preprocess(blankToUndefined, Day.optional()),
    before: z.preprocess(blankToUndefined, z.coerce.number().int().positive("must be an entry number").optional()),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ["to"], message: "must not be before the start date" });

const FIELD_NAME: Record<string, string> = { actor: "Who", action: "Action", target: "Target", from: "From date", to: "To date", before: "page" };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const user = { email: staff.email, role: staff.role };
  const filters = { actor: params.actor ?? "", action: params.action ?? "", target: params.target ?? "", from: params.from ?? "", to: params.to ?? "" };
  const actions = await knownAuditActions();
  const parsed = AuditQuery.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const problem = `${FIELD_NAME[String(issue.path[0])] ?? "The filter"} ${issue.message}.`;
    return data({ user, filters, actions, problem, page: null, paged: false }, { status: 400, headers: { "Cache-Control": "no-store" } });
  }
  const q = parsed.data;
  const page = await listAudit(
    {
      actor: q.actor,
      action: q.action,
      target: q.target,
      from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
      // The end date is included: everything before the next day's midnight.
      to: q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + DAY_MS) : undefined,
    },
    q.before,
  );
  return data(
    {
      user,
      filters,
      actions,
      problem: null,
      paged: q.before !== undefined,
      page: {
        nextBeforeId: page.nextBeforeId,
        events: page.events.map((e) => ({ ...e, detail: e.detail ? describeDetail(e.detail) : null })),
      },
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

/** The JSON detail as "key: value" lines for people to read. */
function describeDetail(json: string): string[] {
  try {
    const detail = JSON.parse(json) as Record<string, unknown>;
    return Object.entries(detail).map(([key, value]) => {
      const shown = Array.isArray(value) ? (value.length ? value.join(", ") : "none") : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
      return `${key}: ${shown}`;
    });
  } catch {
    return [json];
  }
}

/** "user:12" links to the person's page; other targets are shown as written. */
function Target({ target }: { target: string | null }) {
  if (!target) return <>—</>;
  const person = /^user:(\d+)$/.exec(target);
  if (person) return <Link to={`/admin/people/${person[1]}`}>{target}</Link>;
  // A campaign's target shows every step of that campaign here.
  if (/^campaign:\d+$/.test(target)) return <Link to={`/admin/audit?${new URLSearchParams({ target })}`}>{target}</Link>;
  return <>{target}</>;
}

/** Nothing is posted here; the answer for everyone but admins stays the 404 of every admin page. */
export async function action({ request }: ActionFunctionArgs) {
  await requireAdmin(request);
  throw data({ message: "Nothing is sent to this page." }, { status: 405, headers: { Allow: "GET" } });
}

export default function AuditRoute() {
  const { user, filters, actions, problem, page, paged } = useLoaderData<typeof loader>();
  const filtered = Object.values(filters).some(Boolean);
  const query = (extra: Record<string, string>) =>
    `?${new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), ...extra })}`;
  return (
    <StaffFrame user={user} title="Audit log">
      <p className="lede">
        Every change made in the administration pages, every step of campaign work, and the command line: who, what, when and from where. Entries are never changed
        or removed. Times are UTC.
      </p>
      <form method="get" className="staff-panel audit-filters" role="search" aria-label="Filter the audit log">
        <div className="filter-field">
          <label htmlFor="actor">Who (address contains)</label>
          <input id="actor" name="actor" type="search" defaultValue={filters.actor} maxLength={254} placeholder="admin@example.com" />
        </div>
        <div className="filter-field">
          <label htmlFor="action">Action (starts with)</label>
          <input id="action" name="action" type="search" list="audit-actions" defaultValue={filters.action} maxLength={100} placeholder="user." />
          <datalist id="audit-actions">
            {actions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </div>
        <div className="filter-field">
          <label htmlFor="target">Target (exactly)</label>
          <input id="target" name="target" type="search" defaultValue={filters.target} maxLength={120} placeholder="campaign:12" />
        </div>
        <div className="filter-field">
          <label htmlFor="from">From date</label>
          <input id="from" name="from" type="date" defaultValue={filters.from} />
        </div>
        <div className="filter-field">
          <label htmlFor="to">To date (included)</label>
          <input id="to" name="to" type="date" defaultValue={filters.to} />
        </div>
        <div className="filter-actions">
          <button type="submit" className="button secondary">
            Filter
          </button>
          {filtered ? <Link to="/admin/audit">Show all</Link> : null}
        </div>
      </form>

      {problem ? (
        <FormMessage tone="error">
          <p>{problem}</p>
        </FormMessage>
      ) : null}

      {page ? (
        page.events.length === 0 ? (
          <p className="empty">{filtered ? "No entry matches these filters." : "Nothing has been recorded yet."}</p>
        ) : (
          <table className="staff-table stack-table audit-table">
            <caption className="visually-hidden">Audit entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When (UTC)</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Target</th>
                <th scope="col">Detail</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {page.events.map((event) => (
                <tr key={event.id}>
                  <td data-label="When" className="when">
                    {formatMoment(event.createdAt)}
                  </td>
                  <td data-label="Who">{event.actorEmail}</td>
                  <td data-label="What">
                    <code>{event.action}</code>
                  </td>
                  <td data-label="Target">
                    <Target target={event.target} />
                  </td>
                  <td data-label="Detail">
                    {event.detail ? (
                      <ul className="audit-detail">
                        {event.detail.map((line, i) => (
                          <li key={i}>{line}</li>
                        ))}
                      </ul>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td data-label="From" className="audit-from">
                    {event.ip ?? "—"}
                    {event.userAgent ? <span className="user-agent">{event.userAgent}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {page && (paged || page.nextBeforeId) ? (
        <nav className="audit-pager" aria-label="Pages of the audit log">
          {paged ? <Link to={query({})}>← Newest</Link> : <span />}
          {page.nextBeforeId ? <Link to={query({ before: String(page.nextBeforeId) })}>Older →</Link> : <span />}
        </nav>
      ) : null}
    </StaffFrame>
  );
}
