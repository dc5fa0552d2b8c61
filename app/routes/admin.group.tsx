import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { groupIdentity, parseGroupIdentity, saveGroupIdentity, type GroupIdentityErrors, type GroupIdentityFields } from "~/domain/group/identity.server.ts";
import { ErrorSummary, TextAreaField, TextField } from "~/components/admin-units.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import unitsStyles from "~/styles/admin-units.css";

// /admin/group: the group's own identity (ADR 044). Account mail (sign-in, sign-up, security
// alerts, invitations) is sent as it, and every page's header carries its name.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: unitsStyles },
];
export const meta: MetaFunction = () => [{ title: "Group identity — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

const NO_STORE = { "Cache-Control": "no-store" };

const LABELS: Record<keyof GroupIdentityFields, string> = {
  name: "Group name",
  fromEmail: "From address",
  legalName: "Legal name",
  postalAddress: "Postal address",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  const saved = new URL(request.url).searchParams.get("notice") === "saved";
  return data({ user: { email: staff.email, role: staff.role }, identity: await groupIdentity(), saved }, { headers: NO_STORE });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireAdmin(request);
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return data({ values: null, errors: { name: "The form could not be read. Please fill it in and send it again." } as GroupIdentityErrors }, { status: 400, headers: NO_STORE });
  }
  const parsed = parseGroupIdentity(Object.fromEntries(form));
  if ("errors" in parsed) return data({ values: parsed.values, errors: parsed.errors }, { status: 400, headers: NO_STORE });
  await saveGroupIdentity(parsed.values, staffActor(staff, requesterOf(request, context)));
  // After a post, a redirect: refreshing the page never sends the form again.
  return redirect("/admin/group?notice=saved", { headers: NO_STORE });
}

export default function GroupIdentityPage() {
  const { user, identity, saved } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const values: Partial<GroupIdentityFields> = answer?.values ?? identity ?? {};
  const errors: GroupIdentityErrors = answer?.errors ?? {};
  return (
    <StaffFrame user={user} title="Group identity">
      {saved && !answer ? (
        <div className="form-message success" role="status">
          <p>Saved. Account mail is now sent as {identity?.name}.</p>
        </div>
      ) : null}
      {!identity ? (
        <div className="form-message error" role="alert">
          <p>
            <strong>Account mail cannot be sent yet.</strong> Nobody can confirm a sign-up, get a sign-in link or reset a password until the group&apos;s name, From
            address, legal name and postal address are set below.
          </p>
        </div>
      ) : null}
      <p className="lede">
        Every message about a person&apos;s account (sign-in links, sign-up confirmations, password resets, security alerts, invitations) comes from the group, whichever brands
        the person hears from. Pages carry the group name in their header.
      </p>
      <Form method="post" className="unit-form" noValidate>
        <ErrorSummary errors={errors} labels={LABELS} />
        <section className="staff-panel" aria-labelledby="group-heading">
          <h2 id="group-heading">Who account mail comes from</h2>
          <TextField label={LABELS.name} name="name" required defaultValue={values.name} error={errors.name} maxLength={100} hint="The name people know the group by, e.g. Example Group. It is the sender's name and the header of every page." />
          <TextField label={LABELS.fromEmail} name="fromEmail" type="email" inputMode="email" required defaultValue={values.fromEmail} error={errors.fromEmail} maxLength={254} hint="Replies go here too, e.g. accounts@example.com." />
          <TextField label={LABELS.legalName} name="legalName" required defaultValue={values.legalName} error={errors.legalName} maxLength={200} hint="The company that sends the mail, e.g. Example Group Holdings Ltd." />
          <TextAreaField label={LABELS.postalAddress} name="postalAddress" required defaultValue={values.postalAddress} error={errors.postalAddress} rows={3} hint="One line per line of the address. Every email shows it." />
        </section>
        <button type="submit" className="button">
          Save group identity
        </button>
      </Form>
    </StaffFrame>
  );
}
