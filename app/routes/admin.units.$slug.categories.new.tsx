import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { answering404, notFound, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { CategoryForm, createCategory, EXEMPT_CLASS_LABEL, templatesByCategory } from "~/domain/transactional/exempt-categories.server.ts";
import { findUnitBySlug } from "~/domain/units/units.server.ts";
import { CATEGORY_FIELD_LABELS, CategoryFields } from "~/components/admin-units.tsx";
import { NewArchivableItemPage } from "~/components/archivable-item.tsx";
import { newArchivableItemAction } from "~/utils/archivable-item.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import unitsStyles from "~/styles/admin-units.css";

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

export async function action({ request, params, context }: ActionFunctionArgs) {
  return answering404(async () => {
    const staff = await requireAdmin(request);
    const actor = staffActor(staff, requesterOf(request, context));
    return newArchivableItemAction(request, CategoryForm, {
      create: (form) => createCategory(actor, params.slug ?? "", form),
      afterCreate: `/admin/units/${params.slug}?notice=category-created#categories`,
    });
  });
}

export default function NewCategoryPage() {
  const { user, unit, legalClasses, templates } = useLoaderData<typeof loader>();
  return (
    <NewArchivableItemPage
      user={user}
      title={`New exempt category for ${unit.displayName}`}
      trail={[{ to: "/admin/units", label: "Units" }, { to: `/admin/units/${unit.slug}#categories`, label: unit.displayName }, { label: "New exempt category" }]}
      noun="category"
      answer={useActionData<typeof action>()}
      initial={{}}
      lede="Messages in an exempt category keep coming after any opt-out, so use it only for what the person needs, never for marketing."
      labels={CATEGORY_FIELD_LABELS}
      slugHint={
        <>
          The API names the category by it, so it cannot change later. The built-in templates send in these categories:{" "}
          {Object.entries(templates)
            .map(([slug, names]) => `${slug} (${names.join(", ")})`)
            .join("; ")}
          .
        </>
      }
      fields={(values, errors) => <CategoryFields values={values} errors={errors} legalClasses={legalClasses} />}
    />
  );
}
