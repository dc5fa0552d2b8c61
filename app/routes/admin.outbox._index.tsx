import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/utils/permissions.server.ts";
import { OUTBOX_SCAN_LIMIT, browseOutbox, outboxReaderFor } from "~/domain/mail/outbox-browse.server.ts";
import { OUTBOX_MESSAGE_NAME } from "~/domain/mail/outbox-names.ts";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { formatMoment } from "~/utils/format.ts";
import { getEnv } from "~/utils/env.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import outboxStyles from "~/styles/outbox.css";

// /admin/outbox: the messages the outbox transport wrote, newest first, a page at a time.
// Admins see every message; marketers the promotional mail of their units.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: outboxStyles },
];
export const meta: MetaFunction = () => [{ title: "Outbox — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

const Cursor = z.string().regex(OUTBOX_MESSAGE_NAME, "is not a message of the outbox");
const ListQuery = z.object({
  before: Cursor.optional(),
  after: Cursor.optional(),
  recipient: z.string().max(254, "is too long: an email address has at most 254 characters").optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const env = getEnv();
  const user = { email: staff.email, role: staff.role };
  const smtp = env.MAIL_TRANSPORT === "smtp";
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = ListQuery.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const problem = `The ${String(issue.path[0])} in this address ${issue.message}. Start again from the newest messages.`;
    return data({ user, smtp, problem, recipient: "", page: null, scanLimit: OUTBOX_SCAN_LIMIT }, { status: 400, headers: { "Cache-Control": "no-store" } });
  }
  const reader = await outboxReaderFor(staff);
  const page = await browseOutbox(env.OUTBOX_DIR, reader, parsed.data);
  return data(
    // The scan limit travels with the page: a .server module's constant does not exist in the browser.
    { user, smtp, problem: null, recipient: parsed.data.recipient ?? "", page, scanLimit: OUTBOX_SCAN_LIMIT },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function OutboxRoute() {
  const { user, smtp, problem, recipient, page, scanLimit } = useLoaderData<typeof loader>();
  const query = (cursor: Record<string, string>) => `?${new URLSearchParams({ ...(recipient ? { recipient } : {}), ...cursor })}`;
  return (
    <StaffFrame user={user} title="Outbox">
      {smtp ? (
        <div className="form-message info" role="status">
          <p>
            <strong>The outbox is not in use:</strong> mail goes out through the SMTP server (MAIL_TRANSPORT=smtp), so no
            new messages are kept here. Any listed below were written while the outbox was in use.
          </p>
        </div>
      ) : null}
      <p className="lede">
        {user.role === "ADMIN"
          ? "Every message the outbox transport wrote, newest first. Open one to see it as it was sent."
          : "Promotional messages sent in the name of your units, newest first. Open one to see it as it was sent."}
        {page?.total != null ? ` ${page.total.toLocaleString("en-GB")} ${page.total === 1 ? "message" : "messages"} in all.` : null}
      </p>

      <form method="get" className="staff-panel outbox-search" role="search">
        <label htmlFor="recipient">Recipient contains</label>
        <input id="recipient" name="recipient" type="search" defaultValue={recipient} maxLength={254} placeholder="jane@example.com" />
        <button type="submit" className="button secondary">
          Search
        </button>
        {recipient ? <Link to="/admin/outbox">Show all</Link> : null}
      </form>

      {problem ? (
        <div className="form-message error" role="alert">
          <p>{problem}</p>
          <p>
            <Link to="/admin/outbox">Newest messages</Link>
          </p>
        </div>
      ) : null}

      {page ? (
        <>
          {page.entries.length === 0 ? (
            <p className="empty">
              {recipient ? `No message to an address containing “${recipient}” here.` : "No messages here."}
            </p>
          ) : (
            <div className="table-scroll" role="region" aria-label="Messages" tabIndex={0}>
              {/* Wider than a phone only for an unbreakable value: then the table scrolls, never the page. */}
              <table className="staff-table outbox-table">
                <caption className="visually-hidden">Messages, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Sent (UTC)</th>
                    <th scope="col">To</th>
                    <th scope="col">Subject</th>
                    <th scope="col">From</th>
                  </tr>
                </thead>
                <tbody>
                  {page.entries.map((entry) => (
                    <tr key={entry.fileName}>
                      <td className="when">{entry.date ? formatMoment(entry.date) : "—"}</td>
                      <td>{entry.to}</td>
                      <td>
                        <Link to={`/admin/outbox/${entry.fileName}`}>{entry.subject || "(no subject)"}</Link>
                      </td>
                      <td>{entry.from}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {page.searchedUpTo ? (
            <p className="outbox-scan-note" role="status">
              This page looked through {scanLimit.toLocaleString("en-GB")} messages, up to those of{" "}
              {formatMoment(page.searchedUpTo)} UTC, and stopped before filling a page. Use the links below to keep looking.
            </p>
          ) : null}
          <nav className="outbox-pager" aria-label="Pages of messages">
            {page.newer ? <Link to={query({ after: page.newer })}>← Newer</Link> : <span />}
            {page.newer ? <Link to={query({})}>Newest</Link> : <span />}
            {page.older ? <Link to={query({ before: page.older })}>Older →</Link> : <span />}
          </nav>
        </>
      ) : null}
    </StaffFrame>
  );
}
