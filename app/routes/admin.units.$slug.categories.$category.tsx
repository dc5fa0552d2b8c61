import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { answering404, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import {
  archiveCategory,
  CategoryAdminError,
  CategoryForm,
  categoryForAdmin,
  deleteCategory,
  EXEMPT_CLASS_LABEL,
  unarchiveCategory,
  updateCategory,
} from "~/domain/transactional/exempt-categories.server.ts";
import { CATEGORY_FIELD_LABELS, CategoryFields } from "~/components/admin-units.tsx";
import { ArchivableItemEditPage } from "~/components/archivable-item.tsx";
import { archivableEditAction } from "~/utils/archivable-item.server.ts";
import { formatDay } from "~/utils/format.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import unitsStyles from "~/styles/admin-units.css";

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

export async function loader({ request, params }: LoaderFunctionArgs) {
  return answering404(async () => {
    const staff = await requireAdmin(request);
    const { unit, category, messages, templates } = await categoryForAdmin(params.slug ?? "", params.category ?? "");
    const notice = new URL(request.url).searchParams.get("notice");
    return data({ user: { email: staff.email, role: staff.role }, unit, category, messages, templates, legalClasses: EXEMPT_CLASS_LABEL, notice }, { headers: NO_STORE });
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  return answering404(async () => {
    const staff = await requireAdmin(request);
    const unitSlug = params.slug ?? "";
    const categorySlug = params.category ?? "";
    const actor = staffActor(staff, requesterOf(request, context));
    return archivableEditAction(request, CategoryForm, {
      here: `/admin/units/${unitSlug}/categories/${categorySlug}`,
      afterDelete: `/admin/units/${unitSlug}?notice=category-deleted#categories`,
      save: (form) => updateCategory(actor, unitSlug, categorySlug, form),
      archive: () => archiveCategory(actor, unitSlug, categorySlug),
      unarchive: () => unarchiveCategory(actor, unitSlug, categorySlug),
      remove: () => deleteCategory(actor, unitSlug, categorySlug),
      isRefusal: (error): error is CategoryAdminError => error instanceof CategoryAdminError,
    });
  });
}

export default function CategoryPage() {
  const { user, unit, category, messages, templates, legalClasses, notice } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  return (
    <ArchivableItemEditPage
      user={user}
      title={category.name}
      trail={[{ to: "/admin/units", label: "Units" }, { to: `/admin/units/${unit.slug}#categories`, label: unit.displayName }, { label: category.name }]}
      noun="category"
      summary={
        <>
          Exempt category <code>{category.slug}</code> of {unit.displayName} ·{" "}
          {category.archivedAt ? <span className="readiness not-ready">archived {formatDay(category.archivedAt)}</span> : <span className="readiness ready">open</span>} ·{" "}
          {messages.toLocaleString("en-GB")} {messages === 1 ? "message" : "messages"} sent
          {templates.length > 0 ? ` · built-in templates: ${templates.join(", ")}` : ""}
        </>
      }
      notice={notice}
      answer={answer}
      stored={{ name: category.name, reason: category.reason, legalClass: category.legalClass }}
      formHeading="Name, reason and legal class"
      labels={CATEGORY_FIELD_LABELS}
      fields={(values, errors) => <CategoryFields values={values} errors={errors} legalClasses={legalClasses} />}
      archived={Boolean(category.archivedAt)}
      archiveNote={
        category.archivedAt
          ? "Archived: the API refuses new messages in this category and the preference center no longer lists it. Unarchive it to use it again."
          : "Archiving makes the API refuse new messages in this category and removes it from the preference center's list. Messages already sent stay in the record."
      }
      deleteNote={messages === 0 ? "No message was sent in this category yet, so it can still be deleted. Once one is, archive it instead." : null}
    />
  );
}
