import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { answering404, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { CHANNEL_LABEL } from "~/domain/consent/channels.ts";
import { archiveTopic, deleteTopic, TopicAdminError, topicForAdmin, unarchiveTopic, updateTopic } from "~/domain/units/topics.server.ts";
import { ActionButton, Breadcrumbs, ErrorSummary, NoticeBanner, TOPIC_FIELD_LABELS, TopicFields } from "~/components/admin-units.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { archivableEditAction } from "~/utils/archivable-edit.server.ts";
import { formFields } from "~/utils/forms.ts";
import { formatDay } from "~/utils/format.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import unitsStyles from "~/styles/admin-units.css";
import { readForm } from "~/utils/read-form.server.ts";

// /admin/units/<slug>/topics/<topic>: rename, describe and choose the channels of a topic;
// archive or unarchive it; delete it only while nothing refers to it.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: unitsStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.topic.name ?? "Topic"} — Preference Center` }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

const NO_STORE = { "Cache-Control": "no-store" };

export const loader = answering404(async ({ request, params }: LoaderFunctionArgs) => {
  const staff = await requireAdmin(request);
  const { unit, topic, history } = await topicForAdmin(params.slug ?? "", params.topic ?? "");
  const notice = new URL(request.url).searchParams.get("notice");
  return data({ user: { email: staff.email, role: staff.role }, unit, topic, history, notice }, { headers: NO_STORE });
});

export const action = answering404(async ({ request, params, context }: ActionFunctionArgs) => {
  const staff = await requireAdmin(request);
  const unitSlug = params.slug ?? "";
  const topicSlug = params.topic ?? "";
  const fields = formFields(await readForm(request));
  const actor = staffActor(staff, requesterOf(request, context));
  return archivableEditAction(fields, {
    here: `/admin/units/${unitSlug}/topics/${topicSlug}`,
    afterDelete: `/admin/units/${unitSlug}?notice=topic-deleted#topics`,
    save: () => updateTopic(actor, unitSlug, topicSlug, fields),
    archive: () => archiveTopic(actor, unitSlug, topicSlug),
    unarchive: () => unarchiveTopic(actor, unitSlug, topicSlug),
    remove: () => deleteTopic(actor, unitSlug, topicSlug),
    isRefusal: (error): error is TopicAdminError => error instanceof TopicAdminError,
  });
});

export default function TopicPage() {
  const { user, unit, topic, history, notice } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const values = answer?.values ?? {
    name: topic.name,
    description: topic.description,
    offersEmail: topic.offersEmail ? "on" : "",
    offersPostal: topic.offersPostal ? "on" : "",
    offersPhone: topic.offersPhone ? "on" : "",
  };
  const errors = answer?.errors ?? {};
  const subscribedNow = Object.entries(history.subscribedOn) as [keyof typeof CHANNEL_LABEL, number][];
  return (
    <StaffFrame user={user} title={topic.name}>
      <Breadcrumbs trail={[{ to: "/admin/units", label: "Units" }, { to: `/admin/units/${unit.slug}#topics`, label: unit.displayName }, { label: topic.name }]} />
      <p className="unit-summary">
        Topic <code>{topic.slug}</code> of {unit.displayName} · {topic.archivedAt ? <span className="readiness not-ready">archived {formatDay(topic.archivedAt)}</span> : <span className="readiness ready">open</span>}
      </p>
      <NoticeBanner notice={notice} />
      {answer?.error ? (
        <div className="form-message error" role="alert">
          <p>{answer.error}</p>
        </div>
      ) : null}

      <Form method="post" className="staff-panel narrow-form" noValidate>
        <input type="hidden" name="intent" value="save" />
        <h2>Name, description and channels</h2>
        <ErrorSummary errors={errors} labels={TOPIC_FIELD_LABELS} />
        <TopicFields values={values} errors={errors} />
        <div className="form-actions">
          <button type="submit" className="button">
            Save topic
          </button>
        </div>
      </Form>

      <section className="staff-panel narrow-form" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <ul className="facts">
          <li>
            {history.subscriptions.toLocaleString("en-GB")} {history.subscriptions === 1 ? "subscription" : "subscriptions"} on record
            {subscribedNow.length > 0 ? `; subscribed now: ${subscribedNow.map(([channel, n]) => `${n.toLocaleString("en-GB")} by ${CHANNEL_LABEL[channel].toLowerCase()}`).join(", ")}` : ""}
          </li>
          <li>
            {history.campaigns.toLocaleString("en-GB")} {history.campaigns === 1 ? "campaign" : "campaigns"}
            {history.scheduled.length > 0 ? `, ${history.scheduled.length} scheduled` : ""}
            {history.sending > 0 ? `, ${history.sending} sending or paused` : ""}
          </li>
          <li>{history.events.toLocaleString("en-GB")} consent ledger events</li>
        </ul>
      </section>

      <section className="staff-panel narrow-form" aria-labelledby="archive-heading">
        <h2 id="archive-heading">{topic.archivedAt ? "Unarchive" : "Archive"}</h2>
        {topic.archivedAt ? (
          <>
            <p>Archived topics take no new subscriptions (preference center, imports, API) and no new campaigns. Unarchive it to offer it again.</p>
            <ActionButton intent="unarchive" label="Unarchive topic" />
          </>
        ) : (
          <>
            <p>
              Archiving stops new subscriptions (preference center, imports, API) and new campaigns. Its subscriptions, campaigns and ledger events stay, and campaigns already sending
              finish. A topic with a scheduled campaign cannot be archived until the schedule is cancelled.
            </p>
            <ActionButton intent="archive" label="Archive topic" />
          </>
        )}
      </section>

      {history.deletable ? (
        <section className="staff-panel narrow-form danger-zone" aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete</h2>
          <p>Nothing refers to this topic yet (no subscription, campaign or ledger event), so it can still be deleted, for example after a typo in its slug. Once it has history, archive it instead.</p>
          <ActionButton intent="delete" label="Delete topic" variant="danger" />
        </section>
      ) : null}
    </StaffFrame>
  );
}
