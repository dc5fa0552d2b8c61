import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { answering404, requireStaff } from "~/utils/permissions.server.ts";
import { MAX_CAMPAIGNS, unitResults } from "~/domain/reports/unit-results.server.ts";
import { parsePeriod } from "~/domain/reports/results-period.ts";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { ResultsTable, UnitResultsCharts } from "~/components/unit-results.tsx";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";

// /reports/:slug?from=&to=: one unit's campaigns compared over time. A GET form filters the
// range (no JavaScript needed); the CSV link carries the same range. A unit outside the
// marketer's own is a 404 (the scope is in the query: app/domain/reports/unit-results.server.ts).

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data && "unit" in data && data.unit ? `Results: ${data.unit}` : "Results",
  },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const user = { email: staff.email, role: staff.role };
  const query = new URL(request.url).searchParams;
  const asked = parsePeriod(query, new Date());
  const headers = { "Cache-Control": "no-store" };
  return answering404(async () => {
    if (!asked.ok) {
      // The unit is still looked up, so a unit that is not theirs stays a 404 whatever the range.
      const { unit } = await unitResults(staff, params.slug ?? "", {
        from: "1970-01-01",
        to: "1970-01-01",
      });
      return data(
        {
          user,
          unit: unit.displayName,
          slug: unit.slug,
          error: asked.error,
          from: query.get("from") ?? "",
          to: query.get("to") ?? "",
          results: null,
        },
        { status: 400, headers },
      );
    }
    const results = await unitResults(staff, params.slug ?? "", asked.period);
    return data(
      {
        user,
        unit: results.unit.displayName,
        slug: results.unit.slug,
        error: null,
        ...asked.period,
        results,
      },
      { headers },
    );
  });
}

export default function UnitResultsPage() {
  const { user, unit, slug, error, from, to, results } = useLoaderData<typeof loader>();
  const range = new URLSearchParams({ from, to }).toString();
  return (
    <StaffFrame user={user} title={`Results: ${unit}`}>
      <p className="hint">
        This product does not track opens or clicks: the rates here are unsubscribes, bounces and spam complaints over messages sent.
      </p>
      <form method="get" className="results-filter">
        <label>
          From <input type="date" name="from" defaultValue={from} required />
        </label>
        <label>
          To <input type="date" name="to" defaultValue={to} required />
        </label>
        <button type="submit">Show</button>
      </form>
      {error ? (
        <p className="form-message error" role="alert">
          {error}
        </p>
      ) : null}
      {results ? (
        results.campaigns.length === 0 ? (
          <p className="empty">No campaign of {unit} started in this range.</p>
        ) : (
          <>
            {results.truncated ? (
              <p className="form-message info">
                More than {MAX_CAMPAIGNS} campaigns started in this range: the first {MAX_CAMPAIGNS} are shown. Choose a shorter range.
              </p>
            ) : null}
            <UnitResultsCharts results={results} />
            <ResultsTable results={results} />
            <p>
              <a href={`/reports/${slug}/results.csv?${range}`} download>
                Download these results (CSV)
              </a>
            </p>
          </>
        )
      ) : null}
    </StaffFrame>
  );
}
