import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { notFound, requireStaff } from "~/utils/permissions.server.ts";
import { openOutboxMessage, outboxReaderFor } from "~/domain/mail/outbox-browse.server.ts";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { formatMoment } from "~/utils/format.ts";
import { getEnv } from "~/utils/env.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import outboxStyles from "~/styles/outbox.css";

// /admin/outbox/<file>: one message as it was sent: rendered (its HTML part in a sandboxed
// frame served by /admin/outbox/<file>/html), its plain-text part, every header, with the
// recipient's personal links removed; admins may download the raw file (audited).

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: outboxStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.message.entry.subject || "Message"} — Outbox — Preference Center` },
  { name: "robots", content: "noindex" },
];
export const headers = passThroughHeaders;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const fileName = params.file ?? "";
  const message = await openOutboxMessage(getEnv().OUTBOX_DIR, await outboxReaderFor(staff), fileName);
  if (!message) notFound("There is no such message in the outbox, or it is not yours to see.");
  return data({ user: { email: staff.email, role: staff.role }, fileName, message }, { headers: { "Cache-Control": "no-store" } });
}

export default function OutboxMessageRoute() {
  const { user, fileName, message } = useLoaderData<typeof loader>();
  const { entry } = message;
  return (
    <StaffFrame user={user} title={entry.subject || "(no subject)"}>
      <p>
        <Link to="/admin/outbox">← Outbox</Link>
      </p>
      <dl className="staff-panel outbox-facts">
        <dt>From</dt>
        <dd>{entry.from || "—"}</dd>
        <dt>To</dt>
        <dd>{entry.to || "—"}</dd>
        <dt>Sent</dt>
        <dd>{entry.date ? `${formatMoment(entry.date)} UTC` : "—"}</dd>
        <dt>File</dt>
        <dd>
          {fileName} ·{" "}
          {user.role === "ADMIN" ? (
            <a href={`/admin/outbox/${fileName}/raw`}>Download the .eml file (recorded in the audit log: it holds the recipient's working links)</a>
          ) : (
            "The .eml file is for admins only: it holds the recipient's working links."
          )}
        </dd>
      </dl>

      <h2 id="rendered-heading">As the recipient sees it</h2>
      {message.hasHtml ? (
        <>
          <p className="hint">
            The recipient&apos;s own links (unsubscribe, preferences, sign-in) are replaced by a note; other links open in a new tab.
            Scripts, forms and remote content other than images are blocked.
          </p>
          {/* No allow-scripts, no allow-same-origin: the message cannot act as this site. Popups may
              leave the sandbox so its other links open as real pages. */}
          <iframe
            className="outbox-frame"
            title={`The message “${entry.subject}”, rendered`}
            src={`/admin/outbox/${fileName}/html`}
            sandbox="allow-popups allow-popups-to-escape-sandbox"
            referrerPolicy="no-referrer"
          />
        </>
      ) : (
        <p className="empty">This message has no HTML part.</p>
      )}

      <h2>Plain-text part</h2>
      {message.text ? <pre className="outbox-text">{message.text}</pre> : <p className="empty">This message has no plain-text part.</p>}

      {message.attachments.length > 0 ? (
        <>
          <h2>Attachments</h2>
          <ul>
            {message.attachments.map((a, i) => (
              <li key={i}>
                {a.fileName ?? "(unnamed)"} ({a.mimeType})
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <h2>Headers</h2>
      <table className="staff-table outbox-headers">
        <caption className="visually-hidden">Every header of the message, in order</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {message.headers.map((header, i) => (
            <tr key={i}>
              <th scope="row">{header.name}</th>
              <td>{header.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </StaffFrame>
  );
}
