import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { staffUnits } from "~/domain/accounts/staff.server.ts";
import { requireAdmin } from "~/utils/permissions.server.ts";
import { inviteStaff, PeopleError } from "~/domain/accounts/people.server.ts";
import { STAFF_ROLES } from "~/domain/accounts/staff-roles.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { EmailSchema } from "~/domain/consent/email.ts";
import { Field, FormMessage } from "~/components/account-ui.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { UnitChoices } from "~/components/staff-people.tsx";
import { repeated } from "~/utils/form-schemas.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import peopleStyles from "~/styles/admin-people.css";

// /admin/people/invite: invite a marketer or admin by email. The account is made with no
// password; the emailed link (7 days, one use) lets the person choose one.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: peopleStyles },
];
export const meta: MetaFunction = () => [{ title: "Invite someone — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  return data({ user: { email: staff.email, role: staff.role }, units: await staffUnits(staff) }, { headers: { "Cache-Control": "no-store" } });
}

const CHOOSE_UNITS = "Choose units from the list.";
const InviteForm = z.object({
  email: EmailSchema,
  name: z
    .string()
    .trim()
    .max(100, "Use at most 100 characters.")
    .regex(/^[^\r\n<>]*$/, "Use letters, spaces and punctuation only.")
    .optional()
    .transform((name) => name || null),
  role: z.enum(STAFF_ROLES, { error: "Choose marketer or admin." }),
  units: repeated(z.array(z.string()))
    .refine((ids) => ids.length <= 1000 && ids.every((id) => Number.isSafeInteger(Number(id)) && Number(id) > 0), CHOOSE_UNITS)
    .transform((ids) => ids.map(Number)),
});

type Answer = { errors: Record<string, string>; values: { email: string; name: string; role: string; units: string[] } };

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireAdmin(request);
  const parsed = await parseForm(request, InviteForm);
  if (!parsed.ok) {
    // What was typed, to draw the form again; parseForm's values keep one value per name, so the ticked units come from the form.
    const { email = "", name = "", role = "" } = parsed.values;
    return data<Answer>({ errors: parsed.errors, values: { email, name, role, units: parsed.form.getAll("units").map(String) } }, { status: parsed.status });
  }
  const { email, name, role, units } = parsed.value;
  try {
    const invitation = await inviteStaff(staffActor(staff, requesterOf(request, context)), { email, name, role, unitIds: units });
    const outcome = invitation.mail.sent ? "invited" : `invited-not-mailed-${invitation.mail.problem}`;
    return redirect(`/admin/people/${invitation.userId}?done=${outcome}`);
  } catch (error) {
    if (error instanceof PeopleError) {
      return data<Answer>({ errors: { [error.field]: error.message }, values: { email, name: name ?? "", role, units: units.map(String) } }, { status: 400 });
    }
    throw error;
  }
}

export default function InviteRoute() {
  const { user, units } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const values = answer?.values ?? { email: "", name: "", role: "MARKETER", units: [] };
  const errors = answer?.errors ?? {};
  return (
    <StaffFrame user={user} title="Invite someone">
      <p className="lede">
        They get an email with a link to choose a password. The link works once, for 7 days. Until they use it, they cannot sign in.
      </p>
      {errors.form ? (
        <FormMessage tone="error">
          <p>{errors.form}</p>
        </FormMessage>
      ) : null}
      <Form method="post" className="staff-panel people-form" noValidate>
        <Field label="Email address" name="email" type="email" autoComplete="off" defaultValue={values.email} error={errors.email} maxLength={254} />
        <Field label="Name (optional)" name="name" autoComplete="off" defaultValue={values.name} error={errors.name} required={false} maxLength={100} />
        <fieldset className={`field choice-list${errors.role ? " has-error" : ""}`} aria-describedby={errors.role ? "role-error" : undefined}>
          <legend>Role</legend>
          <label>
            <input type="radio" name="role" value="MARKETER" defaultChecked={values.role !== "ADMIN"} /> Marketer
            <small>Composes and sends campaigns, imports and exports contacts, for the units chosen below.</small>
          </label>
          <label>
            <input type="radio" name="role" value="ADMIN" defaultChecked={values.role === "ADMIN"} /> Admin
            <small>Everything marketers do, in every unit, and manages units, people, keys, suppressions and the ledger.</small>
          </label>
          {errors.role ? (
            <p id="role-error" className="field-error">
              {errors.role}
            </p>
          ) : null}
        </fieldset>
        <UnitChoices units={units} checked={values.units.map(Number)} error={errors.units} legend="Units (for marketers)" />
        <div className="form-actions">
          <button type="submit" className="button">
            Send invitation
          </button>
          <Link to="/admin/people">Cancel</Link>
        </div>
      </Form>
    </StaffFrame>
  );
}
