import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { notFound, requireAdmin } from "~/utils/permissions.server.ts";
import { inboundMessage, rawFileName } from "~/domain/feedback/inbound-list.server.ts";
import { KIND_LABEL, VIA_LABEL } from "~/domain/feedback/inbound-query.ts";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { formatMoment } from "~/utils/format.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import ledgerStyles from "~/styles/admin-ledger.css";
import feedbackStyles from "~/styles/mail-feedback.css";

// /admin/inbound/<id>: one message that came back, every fact stored about it, and its raw
// text shown as text (never rendered: it is whatever a stranger sent), with a download.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: ledgerStyles },
  { rel: "stylesheet", href: feedbackStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data ? KIND_LABEL[data.message.kind] : "Message"} ${data?.message.id ?? ""} — What came back — Preference Center` },
  { name: "robots", content: "noindex" },
];
export const headers = passThroughHeaders;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  const id = /^\d{1,9}$/.test(params.id ?? "") ? Number(params.id) : null;
  const message = id ? await inboundMessage(id) : null;
  if (!message) notFound("Nothing that came back has this number.");
  return data({ user: { email: staff.email, role: staff.role }, message, fileName: rawFileName(message) }, { headers: { "Cache-Control": "no-store" } });
}

export default function InboundMessageRoute() {
  const { user, message, fileName } = useLoaderData<typeof loader>();
  const facts: [string, string | null][] = [
    ["Received", `${formatMoment(message.receivedAt)} UTC`],
    ["Came by", VIA_LABEL[message.via]],
    ["Envelope sender", message.mailFrom],
    ["Envelope recipient", message.rcptTo],
    ["Recipient it is about", message.recipient],
    ["Status", message.status],
    ["Diagnostic", message.diagnostic],
    ["Provider's event id", message.externalId],
  ];
  return (
    <StaffFrame user={user} title={`${KIND_LABEL[message.kind]} ${message.id}`}>
      <p>
        <Link to="/admin/inbound">← What came back</Link>
      </p>
      <dl className="staff-panel inbound-facts">
        <dt>What it changed</dt>
        <dd>{message.effect}</dd>
        <dt>Unit</dt>
        <dd>{message.unit ? <Link to={`/admin/units/${message.unit.slug}`}>{message.unit.displayName}</Link> : "—"}</dd>
        <dt>Message it names</dt>
        <dd>
          {message.campaignId ? (
            <>
              <Link to={`/campaigns/${message.campaignId}`}>{message.campaignName ?? `Campaign ${message.campaignId}`}</Link>
              {message.deliveryId ? `, delivery ${message.deliveryId}` : ""}
            </>
          ) : message.transactionalMessageId ? (
            `Service message ${message.transactionalMessageId}`
          ) : (
            "None of ours could be told"
          )}
        </dd>
        {facts.map(([label, value]) => (
          <div key={label} className="fact">
            <dt>{label}</dt>
            <dd>{value ?? "—"}</dd>
          </div>
        ))}
      </dl>
      <section aria-labelledby="raw-heading">
        <h2 id="raw-heading">As it arrived</h2>
        {message.raw === null ? (
          <p className="empty">Its raw text was not kept.</p>
        ) : (
          <>
            <p>
              <a href={`/admin/inbound/${message.id}/raw`} download={fileName}>
                Download {fileName}
              </a>{" "}
              ({message.raw.length.toLocaleString("en-GB")} characters). Shown below as plain text, never as a web page.
            </p>
            <div className="table-scroll" role="region" aria-label="The raw message" tabIndex={0}>
              <pre className="preview-text raw-message">{message.raw}</pre>
            </div>
          </>
        )}
      </section>
    </StaffFrame>
  );
}
