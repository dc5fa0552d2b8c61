import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { answering404, notFound, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { createTopic, TopicForm } from "~/domain/units/topics.server.ts";
import { findUnitBySlug } from "~/domain/units/units.server.ts";
import { TOPIC_FIELD_LABELS, TopicFields } from "~/components/admin-units.tsx";
import { NewArchivableItemPage } from "~/components/archivable-item.tsx";
import { newArchivableItemAction } from "~/utils/archivable-item.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import unitsStyles from "~/styles/admin-units.css";

// /admin/units/<slug>/topics/new: add a topic to a unit.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: unitsStyles },
];
export const meta: MetaFunction = () => [{ title: "New topic — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

const NO_STORE = { "Cache-Control": "no-store" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  const unit = (await findUnitBySlug(params.slug ?? "")) ?? notFound();
  return data({ user: { email: staff.email, role: staff.role }, unit: { slug: unit.slug, displayName: unit.displayName } }, { headers: NO_STORE });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  return answering404(async () => {
    const staff = await requireAdmin(request);
    const actor = staffActor(staff, requesterOf(request, context));
    return newArchivableItemAction(request, TopicForm, {
      create: (form) => createTopic(actor, params.slug ?? "", form),
      afterCreate: `/admin/units/${params.slug}?notice=topic-created#topics`,
    });
  });
}

export default function NewTopicPage() {
  const { user, unit } = useLoaderData<typeof loader>();
  return (
    <NewArchivableItemPage
      user={user}
      title={`New topic for ${unit.displayName}`}
      trail={[{ to: "/admin/units", label: "Units" }, { to: `/admin/units/${unit.slug}`, label: unit.displayName }, { label: "New topic" }]}
      noun="topic"
      answer={useActionData<typeof action>()}
      initial={{ offersEmail: "on" }}
      labels={TOPIC_FIELD_LABELS}
      slugHint="Lower-case letters, digits and hyphens, like product-news. Import files name the topic by it, so it cannot change later."
      fields={(values, errors) => <TopicFields values={values} errors={errors} />}
    />
  );
}
