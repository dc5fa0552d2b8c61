import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { answering404, notFound, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { createCategory, EXEMPT_CLASS_LABEL, templatesByCategory } from "~/domain/transactional/exempt-categories.server.ts";
import { findUnitBySlug } from "~/domain/units/units.server.ts";
import { Breadcrumbs, CATEGORY_FIELD_LABELS, CategoryFields, ErrorSummary, TextField } from "~/components/admin-units.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { formFields } from "~/utils/forms.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import unitsStyles from "~/styles/admin-units.css";
import { readForm } from "~/utils/read-form.server.ts";

// /admin/units/<slug>/categories/new: add an exempt (transactional / relationship) category.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: unitsStyles },
];
export const meta: MetaFunction = () => [{ title: "New exempt category — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

const NO_STORE = { "Cache-Control": "no-store" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  const unit = (await findUnitBySlug(params.slug ?? "")) ?? notFound();
  return data(
    {
      user: { email: staff.email, role: staff.role },
      unit: { slug: unit.slug, displayName: unit.displayName },
      legalClasses: EXEMPT_CLASS_LABEL,
      templates: templatesByCategory(),
    },
    { headers: NO_STORE },
  );
}

export const action = answering404(async ({ request, params, context }: ActionFunctionArgs) => {
  const staff = await requireAdmin(request);
  const fields = formFields(await readForm(request));
  const result = await createCategory(staffActor(staff, requesterOf(request, context)), params.slug ?? "", fields);
  if (result.ok) return redirect(`/admin/units/${params.slug}?notice=category-created#categories`, { headers: NO_STORE });
  return data({ errors: result.errors as Record<string, string>, values: fields }, { status: 400, headers: NO_STORE });
});

export default function NewCategoryPage() {
  const { user, unit, legalClasses, templates } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const values = answer?.values ?? {};
  const errors = answer?.errors ?? {};
  return (
    <StaffFrame user={user} title={`New exempt category for ${unit.displayName}`}>
      <Breadcrumbs trail={[{ to: "/admin/units", label: "Units" }, { to: `/admin/units/${unit.slug}#categories`, label: unit.displayName }, { label: "New exempt category" }]} />
      <p className="lede">Messages in an exempt category keep coming after any opt-out, so use it only for what the person needs, never for marketing.</p>
      <Form method="post" className="staff-panel narrow-form" noValidate>
        <ErrorSummary errors={errors} labels={CATEGORY_FIELD_LABELS} />
        <TextField
          label="Slug"
          name="slug"
          required
          defaultValue={values.slug}
          error={errors.slug}
          maxLength={40}
          spellCheck={false}
          hint={
            <>
              The API names the category by it, so it cannot change later. The built-in templates send in these categories:{" "}
              {Object.entries(templates)
                .map(([slug, names]) => `${slug} (${names.join(", ")})`)
                .join("; ")}
              .
            </>
          }
        />
        <CategoryFields values={values} errors={errors} legalClasses={legalClasses} />
        <div className="form-actions">
          <button type="submit" className="button">
            Create category
          </button>
        </div>
      </Form>
    </StaffFrame>
  );
}
