import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { topicsLabel } from "~/domain/campaigns/topics-label.ts";
import { Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "~/utils/permissions.server.ts";
import { listCampaigns } from "~/domain/campaigns/campaigns.server.ts";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { CAMPAIGN_STATUS_LABEL } from "~/components/campaign-status.tsx";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";

// /campaigns: the campaigns of the marketer's units, newest first.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
];
export const meta: MetaFunction = () => [{ title: "Campaigns" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const campaigns = await listCampaigns(staff);
  return data({ user: { email: staff.email, role: staff.role }, campaigns }, { headers: { "Cache-Control": "no-store" } });
}

export default function CampaignsPage() {
  const { user, campaigns } = useLoaderData<typeof loader>();
  return (
    <StaffFrame user={user} title="Campaigns">
      <p>
        <Link to="/campaigns/new" className="button">
          New campaign
        </Link>
      </p>
      {campaigns.length === 0 ? (
        <p className="empty">No campaigns yet. Write the first one.</p>
      ) : (
        <table className="staff-table">
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Unit · topic</th>
              <th scope="col">Status</th>
              <th scope="col" className="number">
                Sent
              </th>
              <th scope="col" className="number">
                Failed
              </th>
            </tr>
          </thead>
          <tbody>
            {campaigns.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/campaigns/${c.id}`}>{c.subject}</Link>
                </td>
                <td>
                  {c.unit.displayName} · {topicsLabel(c)}
                </td>
                <td>
                  <span className={`status-badge status-${c.status.toLowerCase()}`}>{CAMPAIGN_STATUS_LABEL[c.status]}</span>
                </td>
                <td className="number">{c.sentCount.toLocaleString("en-GB")}</td>
                <td className="number">{c.failedCount.toLocaleString("en-GB")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </StaffFrame>
  );
}
