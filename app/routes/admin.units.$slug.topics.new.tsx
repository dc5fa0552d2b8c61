import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { answering404, notFound, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { createTopic } from "~/domain/units/topics.server.ts";
import { findUnitBySlug } from "~/domain/units/units.server.ts";
import { Breadcrumbs, ErrorSummary, TextField, TOPIC_FIELD_LABELS, TopicFields } from "~/components/admin-units.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { formFields } from "~/utils/forms.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import unitsStyles from "~/styles/admin-units.css";
import { readForm } from "~/utils/read-form.server.ts";

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

export const action = answering404(async ({ request, params, context }: ActionFunctionArgs) => {
  const staff = await requireAdmin(request);
  const fields = formFields(await readForm(request));
  const result = await createTopic(staffActor(staff, requesterOf(request, context)), params.slug ?? "", fields);
  if (result.ok) return redirect(`/admin/units/${params.slug}?notice=topic-created#topics`, { headers: NO_STORE });
  return data({ errors: result.errors as Record<string, string>, values: fields }, { status: 400, headers: NO_STORE });
});

export default function NewTopicPage() {
  const { user, unit } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const values = answer?.values ?? { offersEmail: "on" };
  const errors = answer?.errors ?? {};
  return (
    <StaffFrame user={user} title={`New topic for ${unit.displayName}`}>
      <Breadcrumbs trail={[{ to: "/admin/units", label: "Units" }, { to: `/admin/units/${unit.slug}`, label: unit.displayName }, { label: "New topic" }]} />
      <Form method="post" className="staff-panel narrow-form" noValidate>
        <ErrorSummary errors={errors} labels={TOPIC_FIELD_LABELS} />
        <TextField
          label="Slug"
          name="slug"
          required
          defaultValue={values.slug}
          error={errors.slug}
          maxLength={40}
          spellCheck={false}
          hint="Lower-case letters, digits and hyphens, like product-news. Import files name the topic by it, so it cannot change later."
        />
        <TopicFields values={values} errors={errors} />
        <div className="form-actions">
          <button type="submit" className="button">
            Create topic
          </button>
        </div>
      </Form>
    </StaffFrame>
  );
}
