import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "~/utils/permissions.server.ts";
import { reportUnits } from "~/domain/reports/unit-results.server.ts";
import { StaffFrame } from "~/components/staff-frame.tsx";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";

// /reports: a results dashboard per unit this person may see (a marketer's own units, an admin's all).

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
];
export const meta: MetaFunction = () => [{ title: "Results" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const units = await reportUnits(staff);
  return data({ user: { email: staff.email, role: staff.role }, units }, { headers: { "Cache-Control": "no-store" } });
}

export default function ReportsPage() {
  const { user, units } = useLoaderData<typeof loader>();
  return (
    <StaffFrame user={user} title="Results">
      <p>How each unit&apos;s campaigns did: unsubscribe, bounce and complaint rates and audience size, campaign by campaign.</p>
      {units.length === 0 ? (
        <p className="empty">You are not a member of any unit yet.</p>
      ) : (
        <ul className="results-units">
          {units.map((unit) => (
            <li key={unit.id}>
              <Link to={`/reports/${unit.slug}`}>Results of {unit.displayName}</Link>
            </li>
          ))}
        </ul>
      )}
    </StaffFrame>
  );
}
