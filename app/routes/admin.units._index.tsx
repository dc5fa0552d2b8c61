import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/utils/permissions.server.ts";
import { listUnitsForAdmin } from "~/domain/units/unit-admin.server.ts";
import { TableScroll } from "~/components/admin-units.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import unitsStyles from "~/styles/admin-units.css";

// /admin/units: every business unit, whether it can send yet, and its topics and categories.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: unitsStyles },
];
export const meta: MetaFunction = () => [{ title: "Units — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  const units = await listUnitsForAdmin();
  return data({ user: { email: staff.email, role: staff.role }, units }, { headers: { "Cache-Control": "no-store" } });
}

export default function UnitsPage() {
  const { user, units } = useLoaderData<typeof loader>();
  return (
    <StaffFrame user={user} title="Business units">
      <div className="page-actions">
        <p className="lede">Each unit is a brand that sends promotional mail, with its own topics, exempt categories, sender and opt-outs.</p>
        <Link to="/admin/units/new" className="button">
          New unit
        </Link>
      </div>
      {units.length === 0 ? (
        <div className="empty">
          <p>
            <strong>No business units yet.</strong> Create the first one: its legal name, postal address, sender and topics are all a campaign needs.
          </p>
        </div>
      ) : (
        <TableScroll label="Business units">
          <table className="staff-table units-table">
            <caption className="visually-hidden">Business units</caption>
            <thead>
              <tr>
                <th scope="col">Unit</th>
                <th scope="col">Sends from</th>
                <th scope="col">DKIM</th>
                <th scope="col" className="number">
                  Topics
                </th>
                <th scope="col" className="number">
                  Categories
                </th>
                <th scope="col">Ready to send</th>
              </tr>
            </thead>
            <tbody>
              {units.map((unit) => (
                <tr key={unit.id}>
                  <td>
                    <span className="unit-swatch" style={{ background: unit.brandColor }} aria-hidden="true" />
                    <Link to={`/admin/units/${unit.slug}`}>{unit.displayName}</Link>
                    <div className="slug">{unit.slug}</div>
                  </td>
                  <td className="wrap">{unit.fromEmail}</td>
                  <td>{unit.dkim ? "Key stored" : "None"}</td>
                  <td className="number">
                    {unit.topics.open}
                    {unit.topics.archived ? <div className="muted">+{unit.topics.archived} archived</div> : null}
                  </td>
                  <td className="number">
                    {unit.categories.open}
                    {unit.categories.archived ? <div className="muted">+{unit.categories.archived} archived</div> : null}
                  </td>
                  <td>
                    {unit.readiness === "needs-sender-facts" ? (
                      <span className="readiness not-ready">Needs {unit.missing.join(", ")}</span>
                    ) : unit.readiness === "needs-topic" ? (
                      <span className="readiness not-ready">Needs a topic</span>
                    ) : (
                      <span className="readiness ready">Yes</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </StaffFrame>
  );
}
