import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { answering404, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import {
  archiveCategory,
  CategoryAdminError,
  categoryForAdmin,
  deleteCategory,
  EXEMPT_CLASS_LABEL,
  unarchiveCategory,
  updateCategory,
} from "~/domain/transactional/exempt-categories.server.ts";
import { ActionButton, Breadcrumbs, CATEGORY_FIELD_LABELS, CategoryFields, ErrorSummary, NoticeBanner } from "~/components/admin-units.tsx";
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

// /admin/units/<slug>/categories/<category>: rename an exempt category, change its reason and
// legal class; archive or unarchive it; delete it only while no message was sent in it.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: unitsStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.category.name ?? "Exempt category"} — Preference Center` }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

const NO_STORE = { "Cache-Control": "no-store" };

export const loader = answering404(async ({ request, params }: LoaderFunctionArgs) => {
  const staff = await requireAdmin(request);
  const { unit, category, messages, templates } = await categoryForAdmin(params.slug ?? "", params.category ?? "");
  const notice = new URL(request.url).searchParams.get("notice");
  return data({ user: { email: staff.email, role: staff.role }, unit, category, messages, templates, legalClasses: EXEMPT_CLASS_LABEL, notice }, { headers: NO_STORE });
});

export const action = answering404(async ({ request, params, context }: ActionFunctionArgs) => {
  const staff = await requireAdmin(request);
  const unitSlug = params.slug ?? "";
  const categorySlug = params.category ?? "";
  const fields = formFields(await readForm(request));
  const actor = staffActor(staff, requesterOf(request, context));
  return archivableEditAction(fields, {
    here: `/admin/units/${unitSlug}/categories/${categorySlug}`,
    afterDelete: `/admin/units/${unitSlug}?notice=category-deleted#categories`,
    save: () => updateCategory(actor, unitSlug, categorySlug, fields),
    archive: () => archiveCategory(actor, unitSlug, categorySlug),
    unarchive: () => unarchiveCategory(actor, unitSlug, categorySlug),
    remove: () => deleteCategory(actor, unitSlug, categorySlug),
    isRefusal: (error): error is CategoryAdminError => error instanceof CategoryAdminError,
  });
});

export default function CategoryPage() {
  const { user, unit, category, messages, templates, legalClasses, notice } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const values = answer?.values ?? { name: category.name, reason: category.reason, legalClass: category.legalClass };
  const errors = answer?.errors ?? {};
  return (
    <StaffFrame user={user} title={category.name}>
      <Breadcrumbs trail={[{ to: "/admin/units", label: "Units" }, { to: `/admin/units/${unit.slug}#categories`, label: unit.displayName }, { label: category.name }]} />
      <p className="unit-summary">
        Exempt category <code>{category.slug}</code> of {unit.displayName} ·{" "}
        {category.archivedAt ? <span className="readiness not-ready">archived {formatDay(category.archivedAt)}</span> : <span className="readiness ready">open</span>} ·{" "}
        {messages.toLocaleString("en-GB")} {messages === 1 ? "message" : "messages"} sent
        {templates.length > 0 ? ` · built-in templates: ${templates.join(", ")}` : ""}
      </p>
      <NoticeBanner notice={notice} />
      {answer?.error ? (
        <div className="form-message error" role="alert">
          <p>{answer.error}</p>
        </div>
      ) : null}

      <Form method="post" className="staff-panel narrow-form" noValidate>
        <input type="hidden" name="intent" value="save" />
        <h2>Name, reason and legal class</h2>
        <ErrorSummary errors={errors} labels={CATEGORY_FIELD_LABELS} />
        <CategoryFields values={values} errors={errors} legalClasses={legalClasses} />
        <div className="form-actions">
          <button type="submit" className="button">
            Save category
          </button>
        </div>
      </Form>

      <section className="staff-panel narrow-form" aria-labelledby="archive-heading">
        <h2 id="archive-heading">{category.archivedAt ? "Unarchive" : "Archive"}</h2>
        {category.archivedAt ? (
          <>
            <p>Archived: the API refuses new messages in this category and the preference center no longer lists it. Unarchive it to use it again.</p>
            <ActionButton intent="unarchive" label="Unarchive category" />
          </>
        ) : (
          <>
            <p>Archiving makes the API refuse new messages in this category and removes it from the preference center&apos;s list. Messages already sent stay in the record.</p>
            <ActionButton intent="archive" label="Archive category" />
          </>
        )}
      </section>

      {messages === 0 ? (
        <section className="staff-panel narrow-form danger-zone" aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete</h2>
          <p>No message was sent in this category yet, so it can still be deleted. Once one is, archive it instead.</p>
          <ActionButton intent="delete" label="Delete category" variant="danger" />
        </section>
      ) : null}
    </StaffFrame>
  );
}
