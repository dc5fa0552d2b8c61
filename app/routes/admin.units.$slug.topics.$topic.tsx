import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { answering404, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { CHANNEL_LABEL } from "~/domain/consent/channels.ts";
import { archiveTopic, deleteTopic, TopicAdminError, TopicForm, topicForAdmin, unarchiveTopic, updateTopic } from "~/domain/units/topics.server.ts";
import { TOPIC_FIELD_LABELS, TopicFields } from "~/components/admin-units.tsx";
import { ArchivableItemEditPage } from "~/components/archivable-item.tsx";
import { archivableEditAction } from "~/utils/archivable-item.server.ts";
import { formatDay } from "~/utils/format.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import unitsStyles from "~/styles/admin-units.css";

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

export async function loader({ request, params }: LoaderFunctionArgs) {
  return answering404(async () => {
    const staff = await requireAdmin(request);
    const { unit, topic, history } = await topicForAdmin(params.slug ?? "", params.topic ?? "");
    const notice = new URL(request.url).searchParams.get("notice");
    return data({ user: { email: staff.email, role: staff.role }, unit, topic, history, notice }, { headers: NO_STORE });
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  return answering404(async () => {
    const staff = await requireAdmin(request);
    const unitSlug = params.slug ?? "";
    const topicSlug = params.topic ?? "";
    const actor = staffActor(staff, requesterOf(request, context));
    return archivableEditAction(request, TopicForm, {
      here: `/admin/units/${unitSlug}/topics/${topicSlug}`,
      afterDelete: `/admin/units/${unitSlug}?notice=topic-deleted#topics`,
      save: (form) => updateTopic(actor, unitSlug, topicSlug, form),
      archive: () => archiveTopic(actor, unitSlug, topicSlug),
      unarchive: () => unarchiveTopic(actor, unitSlug, topicSlug),
      remove: () => deleteTopic(actor, unitSlug, topicSlug),
      isRefusal: (error): error is TopicAdminError => error instanceof TopicAdminError,
    });
  });
}

export default function TopicPage() {
  const { user, unit, topic, history, notice } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const subscribedNow = Object.entries(history.subscribedOn) as [keyof typeof CHANNEL_LABEL, number][];
  return (
    <ArchivableItemEditPage
      user={user}
      title={topic.name}
      trail={[{ to: "/admin/units", label: "Units" }, { to: `/admin/units/${unit.slug}#topics`, label: unit.displayName }, { label: topic.name }]}
      noun="topic"
      summary={
        <>
          Topic <code>{topic.slug}</code> of {unit.displayName} · {topic.archivedAt ? <span className="readiness not-ready">archived {formatDay(topic.archivedAt)}</span> : <span className="readiness ready">open</span>}
        </>
      }
      notice={notice}
      answer={answer}
      stored={{
        name: topic.name,
        description: topic.description,
        offersEmail: topic.offersEmail ? "on" : "",
        offersPostal: topic.offersPostal ? "on" : "",
        offersPhone: topic.offersPhone ? "on" : "",
      }}
      formHeading="Name, description and channels"
      labels={TOPIC_FIELD_LABELS}
      fields={(values, errors) => <TopicFields values={values} errors={errors} />}
      archived={Boolean(topic.archivedAt)}
      archiveNote={
        topic.archivedAt
          ? "Archived topics take no new subscriptions (preference center, imports, API) and no new campaigns. Unarchive it to offer it again."
          : "Archiving stops new subscriptions (preference center, imports, API) and new campaigns. Its subscriptions, campaigns and ledger events stay, and campaigns already sending finish. A topic with a scheduled campaign cannot be archived until the schedule is cancelled."
      }
      deleteNote={
        history.deletable
          ? "Nothing refers to this topic yet (no subscription, campaign or ledger event), so it can still be deleted, for example after a typo in its slug. Once it has history, archive it instead."
          : null
      }
    >
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
    </ArchivableItemEditPage>
  );
}
