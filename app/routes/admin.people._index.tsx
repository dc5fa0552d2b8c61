import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/utils/permissions.server.ts";
import { listStaff } from "~/domain/accounts/people.server.ts";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { ROLE_LABEL, StaffStatus } from "~/components/staff-people.tsx";
import { formatMoment } from "~/utils/format.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import peopleStyles from "~/styles/admin-people.css";

// /admin/people: every marketer and admin, with their units, status, last sign-in and live
// sessions. Subscribers are not staff and are not listed.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: peopleStyles },
];
export const meta: MetaFunction = () => [{ title: "People — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  const people = await listStaff();
  return data({ user: { email: staff.email, role: staff.role }, me: staff.id, people }, { headers: { "Cache-Control": "no-store" } });
}

/** Nothing is posted here; the answer for everyone but admins stays the 404 of every admin page. */
export async function action({ request }: ActionFunctionArgs) {
  await requireAdmin(request);
  throw data({ message: "Nothing is sent to this page." }, { status: 405, headers: { Allow: "GET" } });
}

export default function PeopleRoute() {
  const { user, me, people } = useLoaderData<typeof loader>();
  return (
    <StaffFrame user={user} title="People">
      <div className="page-intro">
        <p className="lede">
          Marketers work with the units they are members of; admins manage everything. Open someone to change their units or role,
          send a new invitation, or revoke their access.
        </p>
        <Link to="/admin/people/invite" className="button">
          Invite someone
        </Link>
      </div>
      <table className="staff-table stack-table people-table">
        <caption className="visually-hidden">Marketers and admins</caption>
        <thead>
          <tr>
            <th scope="col">Person</th>
            <th scope="col">Role</th>
            <th scope="col">Units</th>
            <th scope="col">Status</th>
            <th scope="col">Last sign-in (UTC)</th>
            <th scope="col" className="number">
              Live sessions
            </th>
          </tr>
        </thead>
        <tbody>
          {people.map((person) => (
            <tr key={person.id}>
              <th scope="row" className="person-cell">
                <Link to={`/admin/people/${person.id}`}>{person.name || person.email}</Link>
                {person.name ? <span className="person-email">{person.email}</span> : null}
                {person.id === me ? <span className="person-email">(you)</span> : null}
              </th>
              <td data-label="Role">{ROLE_LABEL[person.role]}</td>
              <td data-label="Units">
                {person.role === "ADMIN" ? "All units" : person.units.length ? person.units.map((u) => u.displayName).join(", ") : "None yet"}
              </td>
              <td data-label="Status">
                <StaffStatus member={person} />
              </td>
              <td data-label="Last sign-in">{person.lastSignInAt ? formatMoment(person.lastSignInAt) : "Never"}</td>
              <td data-label="Live sessions" className="number">
                {person.liveSessions}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </StaffFrame>
  );
}
