import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { createUnit } from "~/domain/units/unit-admin.server.ts";
import { UnitForm } from "~/domain/units/unit-settings.server.ts";
import { Breadcrumbs } from "~/components/admin-units.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { UnitSettingsForm, unsavedUnitForm } from "~/components/unit-settings-form.tsx";
import { parseForm } from "~/utils/parse-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import unitsStyles from "~/styles/admin-units.css";

// /admin/units/new: create a business unit. Saving goes to its page, where topics and
// categories are added.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: unitsStyles },
];
export const meta: MetaFunction = () => [{ title: "New unit — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

const NO_STORE = { "Cache-Control": "no-store" };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  return data({ user: { email: staff.email, role: staff.role } }, { headers: NO_STORE });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireAdmin(request);
  const parsed = await parseForm(request, UnitForm);
  if (!parsed.ok) return data(unsavedUnitForm(parsed.values, parsed.errors), { status: parsed.status, headers: NO_STORE });
  const result = await createUnit(staffActor(staff, requesterOf(request, context)), parsed.value);
  if (result.ok) return redirect(`/admin/units/${result.slug}?notice=unit-created`, { headers: NO_STORE });
  return data(unsavedUnitForm(parsed.value, result.errors), { status: 400, headers: NO_STORE });
}

export default function NewUnitPage() {
  const { user } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  return (
    <StaffFrame user={user} title="New business unit">
      <Breadcrumbs trail={[{ to: "/admin/units", label: "Units" }, { label: "New unit" }]} />
      <p className="lede">Everything a promotional email must show, and who it comes from. Topics and exempt categories come next, on the unit&apos;s page.</p>
      <UnitSettingsForm values={answer?.values ?? {}} errors={answer?.errors ?? {}} creating storedKey={null} keyWasPasted={answer?.keyWasPasted ?? false} attempt={answer?.attempt} submitLabel="Create unit" />
    </StaffFrame>
  );
}
