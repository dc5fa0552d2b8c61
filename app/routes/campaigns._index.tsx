import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { topicsLabel } from "~/domain/campaigns/topics-label.ts";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/utils/permissions.server.ts";
import { composerChoices, listCampaignLibrary } from "~/domain/campaigns/campaigns.server.ts";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { FormMessage } from "~/components/account-ui.tsx";
import { CAMPAIGN_STATUS_LABEL } from "~/components/campaign-status.tsx";
import type { CampaignStatus } from "~/generated/prisma/enums.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import peopleStyles from "~/styles/admin-people.css";

// /campaigns: the library of the marketer's units' campaigns, newest first, a page at a time
// (keyset on id). The filters are a plain GET form, so a filtered view works without JavaScript
// and is a link that can be shared.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: peopleStyles },
];
export const meta: MetaFunction = () => [{ title: "Campaigns" }];

const DAY_MS = 86_400_000;
const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-05-03")
  .refine((day) => !Number.isNaN(new Date(`${day}T00:00:00Z`).getTime()), "must be a real date");

const LibraryQuery = z
  .object({
    unit: z.preprocess(blankToUndefined, z.coerce.number().int().positive("must be one of the listed units").optional()),
    status: z.preprocess(blankToUndefined, z.enum(Object.keys(CAMPAIGN_STATUS_LABEL) as [CampaignStatus, ...CampaignStatus[]], { error: "must be one of the listed statuses" }).optional()),
    from: z.preprocess(blankToUndefined, Day.optional()),
    to: z.preprocess(blankToUndefined, Day.optional()),
    archived: z.preprocess(blankToUndefined, z.literal("1", { error: "is a tick box" }).optional()),
    before: z.preprocess(blankToUndefined, z.coerce.number().int().positive("must be a campaign number").optional()),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ["to"], message: "must not be before the start date" });

const FIELD_NAME: Record<string, string> = { unit: "Unit", status: "Status", from: "From date", to: "To date", archived: "Archived", before: "The page" };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const user = { email: staff.email, role: staff.role };
  const units = (await composerChoices(staff)).map((u) => ({ id: u.id, displayName: u.displayName }));
  const filters = { unit: params.unit ?? "", status: params.status ?? "", from: params.from ?? "", to: params.to ?? "", archived: params.archived ?? "" };
  const headers = { "Cache-Control": "no-store" };
  const parsed = LibraryQuery.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const problem = `${FIELD_NAME[String(issue.path[0])] ?? "The filter"} ${issue.message}.`;
    return data({ user, units, filters, problem, page: null, paged: false }, { status: 400, headers });
  }
  const q = parsed.data;
  const page = await listCampaignLibrary(
    staff,
    {
      unitId: q.unit,
      status: q.status,
      from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
      // The end date is included: everything before the next day's midnight.
      to: q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + DAY_MS) : undefined,
      archived: q.archived === "1",
    },
    q.before,
  );
  return data({ user, units, filters, problem: null, page, paged: q.before !== undefined }, { headers });
}

const number = (n: number) => n.toLocaleString("en-GB");
const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(2)}%`);
const day = (at: Date | string | null) => (at ? new Date(at).toISOString().slice(0, 10) : "—");

export default function CampaignsPage() {
  const { user, units, filters, problem, page, paged } = useLoaderData<typeof loader>();
  const filtered = Object.values(filters).some(Boolean);
  const query = (extra: Record<string, string>) => `?${new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), ...extra })}`;
  return (
    <StaffFrame user={user} title="Campaigns">
      <p>
        <Link to="/campaigns/new" className="button">
          New campaign
        </Link>
      </p>
      <form method="get" className="staff-panel audit-filters library-filters" role="search" aria-label="Filter the campaigns">
        <div className="filter-field">
          <label htmlFor="unit">Unit</label>
          <select id="unit" name="unit" defaultValue={filters.unit}>
            <option value="">All units</option>
            {units.map((u) => (
              <option key={u.id} value={u.id}>
                {u.displayName}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-field">
          <label htmlFor="status">Status</label>
          <select id="status" name="status" defaultValue={filters.status}>
            <option value="">Any status</option>
            {Object.entries(CAMPAIGN_STATUS_LABEL).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-field">
          <label htmlFor="from">Sent or written from</label>
          <input id="from" name="from" type="date" defaultValue={filters.from} />
        </div>
        <div className="filter-field">
          <label htmlFor="to">To (included)</label>
          <input id="to" name="to" type="date" defaultValue={filters.to} />
        </div>
        <div className="filter-check">
          <input id="archived" name="archived" type="checkbox" value="1" defaultChecked={filters.archived === "1"} />
          <label htmlFor="archived">Show archived drafts</label>
        </div>
        <div className="filter-actions">
          <button type="submit" className="button secondary">
            Filter
          </button>
          {filtered ? <Link to="/campaigns">Show all</Link> : null}
        </div>
      </form>

      {problem ? (
        <FormMessage tone="error">
          <p>{problem}</p>
        </FormMessage>
      ) : null}

      {page ? (
        page.campaigns.length === 0 ? (
          <p className="empty">{filtered || paged ? "No campaign matches these filters." : "No campaigns yet. Write the first one."}</p>
        ) : (
          <table className="staff-table stack-table library-table">
            <caption className="visually-hidden">Campaigns, newest first. Rates are over the messages sent.</caption>
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Unit · topic</th>
                <th scope="col">Status</th>
                <th scope="col">Author</th>
                <th scope="col">Sent on</th>
                <th scope="col" className="number">
                  Recipients
                </th>
                <th scope="col" className="number">
                  Unsub&shy;scribes
                </th>
                <th scope="col" className="number">
                  Bounces
                </th>
                <th scope="col" className="number">
                  Com&shy;plaints
                </th>
              </tr>
            </thead>
            <tbody>
              {page.campaigns.map((c) => {
                const rates = c.feedback?.rates;
                const bounce = rates && rates.HARD_BOUNCE !== null ? (rates.HARD_BOUNCE ?? 0) + (rates.SOFT_BOUNCE ?? 0) + (rates.POLICY_BOUNCE ?? 0) : null;
                return (
                  <tr key={c.id}>
                    <td data-label="Campaign" className="campaign-cell">
                      <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
                      {c.name !== c.subject ? <span className="person-email">{c.subject}</span> : null}
                    </td>
                    <td data-label="Unit · topic">
                      {c.unit.displayName} · {topicsLabel(c)}
                    </td>
                    <td data-label="Status">
                      <span className={`status-badge status-${c.status.toLowerCase()}`}>{CAMPAIGN_STATUS_LABEL[c.status]}</span>
                      {c.archivedAt ? <span className="person-email">Archived</span> : null}
                    </td>
                    <td data-label="Author">{c.createdBy ? (c.createdBy.name ?? c.createdBy.email) : "—"}</td>
                    <td data-label="Sent on" className="when">
                      {day(c.startedAt)}
                    </td>
                    <td data-label="Recipients" className="number">
                      {c.startedAt ? number(c.sentCount) : "—"}
                    </td>
                    <td data-label="Unsubscribes" className="number">
                      {percent(rates?.unsubscribes)}
                    </td>
                    <td data-label="Bounces" className="number">
                      {percent(bounce)}
                    </td>
                    <td data-label="Complaints" className="number">
                      {percent(rates?.COMPLAINT)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )
      ) : null}
      {page && (paged || page.nextBeforeId) ? (
        <nav className="audit-pager" aria-label="Pages of the campaign library">
          {paged ? <Link to={query({})}>← Newest</Link> : <span />}
          {page.nextBeforeId ? <Link to={query({ before: String(page.nextBeforeId) })}>Older →</Link> : <span />}
        </nav>
      ) : null}
    </StaffFrame>
  );
}
