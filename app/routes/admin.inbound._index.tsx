import {
  data,
  type ActionFunctionArgs,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/utils/permissions.server.ts";
import {
  inboundUnitChoices,
  listInbound,
  UnknownUnitError,
} from "~/domain/feedback/inbound-list.server.ts";
import {
  INBOUND_KINDS,
  inboundQueryString,
  KIND_LABEL,
  parseInboundQuery,
  VIA_LABEL,
  type InboundQueryErrors,
} from "~/domain/feedback/inbound-query.ts";
import { BreakableAddress } from "~/components/breakable-address.tsx";
import { FilterInput, FilterSelect } from "~/components/search-filter.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { formatMoment } from "~/utils/format.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import ledgerStyles from "~/styles/admin-ledger.css";
import feedbackStyles from "~/styles/mail-feedback.css";

// /admin/inbound: what came back from sent mail (bounces, complaints, unsubscribes by email,
// providers' events, unreadable mail), newest first, with what each changed. Admins only.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: ledgerStyles },
  { rel: "stylesheet", href: feedbackStyles },
];
export const meta: MetaFunction = () => [
  { title: "What came back — Preference Center" },
  { name: "robots", content: "noindex" },
];
export const headers = passThroughHeaders;

const NO_STORE = { "Cache-Control": "no-store" };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  const user = { email: staff.email, role: staff.role };
  const fields = Object.fromEntries(new URL(request.url).searchParams);
  const units = await inboundUnitChoices();
  const failed = (errors: InboundQueryErrors) =>
    data(
      { user, units, fields, errors, query: null, page: null },
      { status: 400, headers: NO_STORE },
    );
  const parsed = parseInboundQuery(fields);
  if (!parsed.ok) return failed(parsed.errors);
  try {
    const page = await listInbound(parsed.query);
    return data(
      {
        user,
        units,
        fields,
        errors: {} as InboundQueryErrors,
        query: parsed.query,
        page,
      },
      { headers: NO_STORE },
    );
  } catch (error) {
    if (error instanceof UnknownUnitError)
      return failed({ unit: `${error.message} Choose one from the list.` });
    throw error;
  }
}

/** Nothing is posted here. */
export async function action({ request }: ActionFunctionArgs) {
  await requireAdmin(request);
  return data(
    { message: "This page takes no form. Search with the form on the page." },
    { status: 405, headers: { Allow: "GET", ...NO_STORE } },
  );
}

export default function InboundRoute() {
  const { user, units, fields, errors, query, page } =
    useLoaderData<typeof loader>();
  const value = (name: string) => fields[name] ?? "";
  const errorList = Object.values(errors);

  return (
    <StaffFrame user={user} title="What came back">
      <p className="lede">
        Bounces, spam complaints, unsubscribes by email and mail providers&apos;
        events, as they arrived, with what each changed. Newest first; times are
        UTC.
      </p>

      <form
        method="get"
        className="staff-panel ledger-filters"
        role="search"
        aria-label="Search what came back"
        noValidate
      >
        <FilterSelect
          name="unit"
          label="Unit"
          error={errors.unit}
          defaultValue={value("unit")}
          anyLabel="Every unit"
          options={units.map((u) => [u.slug, u.displayName] as const)}
        />
        <FilterSelect
          name="kind"
          label="Kind"
          error={errors.kind}
          defaultValue={value("kind")}
          anyLabel="Every kind"
          options={INBOUND_KINDS.map((k) => [k, KIND_LABEL[k]] as const)}
        />
        <FilterInput
          name="from"
          label="From (UTC)"
          error={errors.from}
          width="narrow"
          type="date"
          defaultValue={value("from")}
        />
        <FilterInput
          name="to"
          label="To, inclusive (UTC)"
          error={errors.to}
          width="narrow"
          type="date"
          defaultValue={value("to")}
        />
        <div className="filter-actions">
          <button type="submit" className="button">
            Search
          </button>
          <Link to="/admin/inbound">Clear</Link>
        </div>
      </form>

      {errorList.length > 0 ? (
        <div className="form-message error" role="alert">
          <p>This search cannot be run as asked:</p>
          <ul>
            {errorList.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </div>
      ) : null}

      {query && page ? (
        <>
          {page.messages.length === 0 ? (
            <p className="empty">
              Nothing came back
              {query.unit || query.kind || query.from || query.to
                ? " that matches this search"
                : " yet"}
              .
            </p>
          ) : (
            <table className="staff-table stack-table inbound-table">
              <caption className="visually-hidden">
                What came back, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Unit and campaign</th>
                  <th scope="col">Recipient</th>
                  <th scope="col">Status</th>
                  <th scope="col">What it changed</th>
                </tr>
              </thead>
              <tbody>
                {page.messages.map((m) => (
                  <tr key={m.id}>
                    <td data-label="When" className="when">
                      <Link
                        to={`/admin/inbound/${m.id}`}
                        aria-label={`${KIND_LABEL[m.kind]} ${m.id}, ${formatMoment(m.receivedAt)}`}
                      >
                        {formatMoment(m.receivedAt)}
                      </Link>
                    </td>
                    <td data-label="Kind">
                      {/* One child per cell: the phone layout is a grid of label and content. */}
                      <div>
                        <span
                          className={`status-badge inbound-${m.kind.toLowerCase()}`}
                        >
                          {KIND_LABEL[m.kind]}
                        </span>
                        <br />
                        <span className="hint">{VIA_LABEL[m.via]}</span>
                      </div>
                    </td>
                    <td data-label="Unit">
                      <div>
                        {m.unit ? m.unit.displayName : "—"}
                        {m.campaignId ? (
                          <>
                            <br />
                            <Link to={`/campaigns/${m.campaignId}`}>
                              {page.campaigns[m.campaignId] ??
                                `Campaign ${m.campaignId}`}
                            </Link>
                          </>
                        ) : m.transactionalMessageId ? (
                          <>
                            <br />
                            Service message {m.transactionalMessageId}
                          </>
                        ) : null}
                      </div>
                    </td>
                    <td data-label="Recipient" className="address">
                      {m.recipient ? (
                        <BreakableAddress email={m.recipient} />
                      ) : (
                        "—"
                      )}
                    </td>
                    <td data-label="Status">{m.status ?? "—"}</td>
                    <td data-label="Changed">{m.effect}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <nav className="pager" aria-label="Pages of what came back">
            {page.nextBefore ? (
              <Link
                to={inboundQueryString(query, {
                  before: String(page.nextBefore),
                })}
              >
                Older →
              </Link>
            ) : (
              <span />
            )}
          </nav>
        </>
      ) : null}
    </StaffFrame>
  );
}
