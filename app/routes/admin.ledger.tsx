import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/utils/permissions.server.ts";
import {
  ACTION_LABEL,
  ACTIONS,
  CHART_MAX_DAYS,
  chartPeriod,
  ledgerQueryString,
  parseLedgerQuery,
  SOURCE_LABEL,
  SOURCES,
  type LedgerQuery,
  type LedgerQueryErrors,
} from "~/domain/ledger/ledger-query.ts";
import { ledgerChart, ledgerFilterChoices, resolveLedgerQuery, searchLedger } from "~/domain/ledger/ledger.server.ts";
import { CHANNEL_LABEL } from "~/domain/consent/channels.ts";
import { BreakableAddress } from "~/components/breakable-address.tsx";
import { LedgerChart } from "~/components/ledger-chart.tsx";
import { FilterInput, FilterSelect } from "~/components/search-filter.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { formatMoment } from "~/utils/format.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import ledgerStyles from "~/styles/admin-ledger.css";

// /admin/ledger: every consent change and access the product recorded, searched by address,
// unit, topic, source, action, campaign and dates; the same result as CSV for an auditor; and
// a daily chart of opt-ins and opt-outs by source.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: ledgerStyles },
];
export const meta: MetaFunction = () => [{ title: "Ledger — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

const NO_STORE = { "Cache-Control": "no-store" };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  const user = { email: staff.email, role: staff.role };
  const fields = Object.fromEntries(new URL(request.url).searchParams);
  const units = await ledgerFilterChoices();
  const failed = (errors: LedgerQueryErrors) =>
    data({ user, units, fields, errors, query: null, page: null, scope: null, chart: null, chartProblem: null }, { status: 400, headers: NO_STORE });

  const parsed = parseLedgerQuery(fields);
  if (!parsed.ok) return failed(parsed.errors);
  const resolved = await resolveLedgerQuery(parsed.query);
  if (!resolved.ok) return failed(resolved.errors);
  const { scope } = resolved;
  const period = chartPeriod(parsed.query, new Date());
  const [page, chart] = await Promise.all([
    searchLedger(scope),
    period.days <= CHART_MAX_DAYS ? ledgerChart(scope.unit, period) : Promise.resolve(null),
  ]);
  return data(
    {
      user,
      units,
      fields,
      errors: {} as LedgerQueryErrors,
      query: parsed.query,
      page,
      scope: { unit: scope.unit, topic: scope.topic, contact: scope.contact, addressWithoutContact: scope.addressWithoutContact, partial: scope.contactIds !== null },
      chart,
      chartProblem: chart
        ? null
        : `The chart covers at most ${CHART_MAX_DAYS} days; this period has ${period.days}. Choose closer from and to dates.`,
    },
    { headers: NO_STORE },
  );
}

/** Nothing is posted here (the CSV download posts to /admin/ledger.csv); others get the usual 404. */
export async function action({ request }: ActionFunctionArgs) {
  await requireAdmin(request);
  return data({ message: "This page takes no form. Search with the form on the page." }, { status: 405, headers: { Allow: "GET", ...NO_STORE } });
}

export default function LedgerRoute() {
  const { user, units, fields, errors, query, page, scope, chart, chartProblem } = useLoaderData<typeof loader>();
  const value = (name: keyof LedgerQuery) => fields[name] ?? "";
  const errorList = Object.entries(errors) as [keyof LedgerQueryErrors, string][];
  const selectedUnit = scope?.unit?.slug ?? value("unit");

  return (
    <StaffFrame user={user} title="Consent ledger">
      <p className="lede">
        Every change to people&apos;s preferences and every export of them, as recorded when it happened, newest first. Times are UTC.
      </p>

      <form method="get" className="staff-panel ledger-filters" role="search" aria-label="Search the ledger" noValidate>
        <FilterInput name="email" label="Address" error={errors.email} width="wide" type="search" defaultValue={value("email")} maxLength={254} placeholder="jane@example.com, or part of it" />
        <FilterSelect name="unit" label="Unit" error={errors.unit} defaultValue={selectedUnit} anyLabel="Every unit" options={units.map((u) => [u.slug, u.displayName] as const)} />
        <FilterSelect name="topic" label="Topic" error={errors.topic} defaultValue={value("topic")} anyLabel="Every topic">
          {units
            .filter((u) => !selectedUnit || u.slug === selectedUnit)
            .map((u) => (
              <optgroup key={u.id} label={u.displayName}>
                {u.topics.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </optgroup>
            ))}
        </FilterSelect>
        <FilterSelect name="source" label="Source" error={errors.source} defaultValue={value("source")} anyLabel="Every source" options={SOURCES.map((s) => [s, SOURCE_LABEL[s]] as const)} />
        <FilterSelect name="action" label="Action" error={errors.action} defaultValue={value("action")} anyLabel="Every action" options={ACTIONS.map((a) => [a, ACTION_LABEL[a]] as const)} />
        <FilterInput name="campaign" label="Campaign number" error={errors.campaign} width="narrow" type="text" inputMode="numeric" defaultValue={value("campaign")} maxLength={10} />
        <FilterInput name="from" label="From (UTC)" error={errors.from} width="narrow" type="date" defaultValue={value("from")} />
        <FilterInput name="to" label="To, inclusive (UTC)" error={errors.to} width="narrow" type="date" defaultValue={value("to")} />
        <div className="filter-actions">
          <button type="submit" className="button">
            Search
          </button>
          <Link to="/admin/ledger">Clear</Link>
        </div>
      </form>

      {errorList.length > 0 ? (
        <div className="form-message error" role="alert">
          <p>This search cannot be run as asked:</p>
          <ul>
            {errorList.map(([name, message]) => (
              <li key={name}>{message}</li>
            ))}
          </ul>
        </div>
      ) : null}

      {query && page && scope ? (
        <>
          <section aria-labelledby="chart-heading" className="staff-panel">
            <h2 id="chart-heading">Opt-ins and opt-outs{scope.unit ? `: ${scope.unit.displayName}` : ": every unit at once"}</h2>
            {chart ? <LedgerChart chart={chart} /> : <p className="form-message info">{chartProblem}</p>}
            <p className="hint">
              Opt-ins are subscribes and opt-ins to a unit or to every unit; opt-outs are unsubscribes and opt-outs of a unit or of every unit;
              repeats that changed nothing are left out. Pauses are not opt-outs: they end by themselves. The chart follows the unit and the dates
              chosen above (the last 30 days when no dates are given), not the other filters.{" "}
              {scope.unit
                ? "Opt-ins and opt-outs for every unit at once belong to no unit: clear the unit to chart them."
                : "Choose a unit to chart its opt-ins and opt-outs."}
            </p>
          </section>

          <section aria-labelledby="events-heading">
            <div className="events-head">
              <h2 id="events-heading">Events</h2>
              <form method="post" action={`/admin/ledger.csv${ledgerQueryString(query)}`} className="export-form">
                <button type="submit" className="button secondary">
                  Download these events as CSV
                </button>
              </form>
            </div>
            <p className="hint">The file holds every event this search finds, not only this page. Each download is recorded in the audit log.</p>
            {scope.addressWithoutContact ? (
              <p className="empty">
                {scope.addressWithoutContact.erased
                  ? "This address was erased at the person's request: its events are kept without the address, so they cannot be found by it."
                  : scope.partial
                    ? "No contact's address contains this text, so no event is about one."
                    : "No contact has this address, so no event is about it."}
              </p>
            ) : page.entries.length === 0 ? (
              <p className="empty">No event matches this search.</p>
            ) : (
              <div className="table-scroll" role="region" aria-label="Ledger events" tabIndex={0}>
                {/* Twelve columns may outgrow a 1,280 px window: the table scrolls in its region, never the page. */}
                <table className="staff-table ledger-table stack-table">
                  <caption className="visually-hidden">Ledger events, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Time (UTC)</th>
                      <th scope="col">Contact</th>
                      <th scope="col">Unit</th>
                      <th scope="col">Topic</th>
                      <th scope="col">Channel</th>
                      <th scope="col">Action</th>
                      <th scope="col">Source</th>
                      <th scope="col">Result</th>
                      <th scope="col">Actor</th>
                      <th scope="col">IP</th>
                      <th scope="col">Token</th>
                      <th scope="col">Campaign</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.entries.map((e) => (
                      <tr key={e.id} data-event-id={e.id}>
                        <td data-label="Time" className="when">
                          {formatMoment(e.createdAt)}
                        </td>
                        <td data-label="Contact" className="address">
                          {e.email ? (
                            <BreakableAddress email={e.email} />
                          ) : e.contactId === null && e.action !== "EXPORT" ? (
                            <span className="hash-only">no contact (erased or none)</span>
                          ) : (
                            "—"
                          )}
                        </td>
                        <td data-label="Unit">{e.unit ?? "—"}</td>
                        <td data-label="Topic">{e.topic ?? "—"}</td>
                        <td data-label="Channel">{e.channel ? CHANNEL_LABEL[e.channel] : "—"}</td>
                        <td data-label="Action">{ACTION_LABEL[e.action]}</td>
                        <td data-label="Source">{SOURCE_LABEL[e.source]}</td>
                        <td data-label="Result">{e.changed ? "changed" : <span className="no-op">no-op (already so)</span>}</td>
                        <td data-label="Actor" className="address">
                          {e.actorEmail ? `${e.actorEmail} (${e.actor})` : (e.actor ?? "—")}
                        </td>
                        <td data-label="IP">{e.ip ?? "—"}</td>
                        <td data-label="Token" className="token">
                          {e.tokenId ?? "—"}
                        </td>
                        <td data-label="Campaign">{e.campaignId ? <Link to={`/campaigns/${e.campaignId}`}>#{e.campaignId}</Link> : "—"}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <nav className="pager" aria-label="Pages of events">
              {query.before ? <Link to={`/admin/ledger${ledgerQueryString(query)}`}>← Newest</Link> : <span />}
              {page.nextBeforeId ? (
                <Link to={`/admin/ledger${ledgerQueryString(query, { before: String(page.nextBeforeId) })}`}>Older events →</Link>
              ) : (
                <span />
              )}
            </nav>
          </section>
        </>
      ) : null}
    </StaffFrame>
  );
}
