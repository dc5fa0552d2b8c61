import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { staffUnits } from "~/domain/accounts/staff.server.ts";
import { notFound, requireAdmin } from "~/utils/permissions.server.ts";
import {
  changeStaffRole,
  findStaffMember,
  PeopleError,
  reinviteStaff,
  restoreStaffAccess,
  revokeStaffAccess,
  setStaffUnits,
} from "~/domain/accounts/people.server.ts";
import { STAFF_ROLES } from "~/domain/accounts/staff-roles.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { FormMessage } from "~/components/account-ui.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { INVITE_MAIL_PROBLEM, ROLE_LABEL, StaffStatus, UnitChoices } from "~/components/staff-people.tsx";
import { formatDay, formatMoment } from "~/utils/format.ts";
import { repeated } from "~/utils/form-schemas.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import peopleStyles from "~/styles/admin-people.css";

// /admin/people/<id>: one marketer or admin — units, role, a new invitation, revoke or restore
// access. Each form posts here and comes back with a confirmation (POST, redirect, GET).

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: peopleStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.person.name || data?.person.email || "Person"} — People — Preference Center` },
  { name: "robots", content: "noindex" },
];
export const headers = passThroughHeaders;

const personId = (params: LoaderFunctionArgs["params"]) => {
  const id = Number(params.id);
  return Number.isSafeInteger(id) && id > 0 ? id : notFound();
};

/** Confirmations after a redirect, by code (the address never carries free text to show). */
const DONE: Record<string, string> = {
  invited: "Invitation sent. The link works once, for 7 days.",
  reinvited: "A new invitation was sent. The earlier link no longer works.",
  units: "Units saved.",
  "units-unchanged": "Nothing to save: the units were already these.",
  role: "Role changed. It applies from their next page load.",
  revoked: "Access revoked. They were signed out everywhere and cannot sign in.",
  restored: "Access restored.",
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  const person = (await findStaffMember(personId(params))) ?? notFound();
  const done = new URL(request.url).searchParams.get("done") ?? "";
  const mailProblem = done.replace(/^(re)?invited-not-mailed-/, "");
  const notice =
    done in DONE
      ? { tone: "success" as const, text: DONE[done] }
      : done !== mailProblem && mailProblem in INVITE_MAIL_PROBLEM
        ? { tone: "error" as const, text: INVITE_MAIL_PROBLEM[mailProblem] }
        : null;
  return data(
    { user: { email: staff.email, role: staff.role }, isMe: staff.id === person.id, person, units: await staffUnits(staff), notice },
    { headers: { "Cache-Control": "no-store" } },
  );
}

const NOT_UNDERSTOOD = "That request was not understood. Reload the page and try again.";
const CHOOSE_UNITS = "Choose units from the list.";
const PersonRequest = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("units"),
      units: repeated(z.array(z.string()))
        .refine((ids) => ids.length <= 1000 && ids.every((id) => Number.isSafeInteger(Number(id)) && Number(id) > 0), CHOOSE_UNITS)
        .transform((ids) => ids.map(Number)),
    }),
    z.object({ intent: z.literal("role"), role: z.enum(STAFF_ROLES, { error: "Choose marketer or admin." }) }),
    z.object({ intent: z.literal("reinvite") }),
    z.object({ intent: z.literal("revoke") }),
    z.object({ intent: z.literal("restore") }),
  ],
  { error: NOT_UNDERSTOOD },
);
/** Each form on the page shows its own error: `intent` says which, "form" for the page. */
type Answer = { intent: string; error: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const staff = await requireAdmin(request);
  const id = personId(params);
  const actor = staffActor(staff, requesterOf(request, context));
  const parsed = await parseForm(request, PersonRequest);
  if (!parsed.ok) {
    if (parsed.errors.intent) return data<Answer>({ intent: "form", error: NOT_UNDERSTOOD }, { status: 400 });
    return data<Answer>({ intent: parsed.values.intent ?? "form", error: Object.values(parsed.errors)[0] }, { status: parsed.status });
  }
  const asked = parsed.value;
  const back = (done: string) => redirect(`/admin/people/${id}?done=${done}`);
  try {
    switch (asked.intent) {
      case "units": {
        const changed = await setStaffUnits(actor, id, asked.units);
        return back(changed.added.length || changed.removed.length ? "units" : "units-unchanged");
      }
      case "role": {
        await changeStaffRole(actor, id, asked.role);
        return back("role");
      }
      case "reinvite": {
        const invitation = await reinviteStaff(actor, id);
        return back(invitation.mail.sent ? "reinvited" : `reinvited-not-mailed-${invitation.mail.problem}`);
      }
      case "revoke":
        await revokeStaffAccess(actor, id);
        return back("revoked");
      case "restore":
        await restoreStaffAccess(actor, id);
        return back("restored");
    }
  } catch (error) {
    if (error instanceof PeopleError) {
      if (error.field === "not-found") notFound();
      return data<Answer>({ intent: asked.intent, error: error.message }, { status: 400 });
    }
    throw error;
  }
}

export default function PersonRoute() {
  const { user, isMe, person, units, notice } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const errorFor = (intent: string) =>
    answer?.intent === intent ? (
      <FormMessage tone="error">
        <p>{answer.error}</p>
      </FormMessage>
    ) : null;
  return (
    <StaffFrame user={user} title={person.name || person.email}>
      <p className="back-link">
        <Link to="/admin/people">← All people</Link>
      </p>
      {notice ? (
        <FormMessage tone={notice.tone}>
          <p>{notice.text}</p>
        </FormMessage>
      ) : null}
      {errorFor("form")}

      <section className="staff-panel" aria-labelledby="facts-heading">
        <h2 id="facts-heading">Account</h2>
        <dl className="person-facts">
          <dt>Email</dt>
          <dd>{person.email}</dd>
          <dt>Name</dt>
          <dd>{person.name || "—"}</dd>
          <dt>Role</dt>
          <dd>{ROLE_LABEL[person.role]}</dd>
          <dt>Status</dt>
          <dd>
            <StaffStatus member={person} />
          </dd>
          <dt>Units</dt>
          <dd>{person.role === "ADMIN" ? "All units" : person.units.length ? person.units.map((u) => u.displayName).join(", ") : "None yet"}</dd>
          <dt>Added</dt>
          <dd>{formatDay(person.createdAt)}</dd>
          <dt>Last sign-in</dt>
          <dd>{person.lastSignInAt ? `${formatMoment(person.lastSignInAt)} UTC` : "Never"}</dd>
          <dt>Live sessions</dt>
          <dd>{person.liveSessions}</dd>
        </dl>
      </section>

      {person.status === "invited" ? (
        <section className="staff-panel" aria-labelledby="invite-heading">
          <h2 id="invite-heading">Invitation</h2>
          <p>
            {person.inviteExpiresAt
              ? `They have not accepted yet. Their link works until ${formatMoment(person.inviteExpiresAt)} UTC.`
              : "They have not accepted, and no invitation link of theirs works any more."}{" "}
            A new invitation sends a fresh link for 7 days; the earlier one stops working.
          </p>
          {errorFor("reinvite")}
          <Form method="post">
            <button type="submit" name="intent" value="reinvite" className="button secondary">
              Send a new invitation
            </button>
          </Form>
        </section>
      ) : null}

      {person.role === "MARKETER" ? (
        <section className="staff-panel" aria-labelledby="units-heading">
          <h2 id="units-heading">Units</h2>
          <p className="hint">A marketer sees, composes for and exports from these units only.</p>
          {errorFor("units")}
          <Form method="post" className="people-form">
            <UnitChoices units={units} checked={person.units.map((u) => u.id)} legend="Member of" />
            <button type="submit" name="intent" value="units" className="button">
              Save units
            </button>
          </Form>
        </section>
      ) : null}

      <section className="staff-panel" aria-labelledby="role-heading">
        <h2 id="role-heading">Role</h2>
        {isMe ? (
          <p>You cannot change your own role. Another admin can.</p>
        ) : (
          <>
            {errorFor("role")}
            <Form method="post" className="people-form">
              <fieldset className="field choice-list">
                <legend>Their role</legend>
                <label>
                  <input type="radio" name="role" value="MARKETER" defaultChecked={person.role === "MARKETER"} /> Marketer
                  <small>Works with the units they are members of.</small>
                </label>
                <label>
                  <input type="radio" name="role" value="ADMIN" defaultChecked={person.role === "ADMIN"} /> Admin
                  <small>Works with every unit and manages the product.</small>
                </label>
              </fieldset>
              <button type="submit" name="intent" value="role" className="button secondary">
                Change role
              </button>
            </Form>
          </>
        )}
      </section>

      <section className="staff-panel danger-zone" aria-labelledby="access-heading">
        <h2 id="access-heading">Access</h2>
        {isMe ? (
          <p>You cannot revoke your own access. Another admin can.</p>
        ) : person.status === "revoked" ? (
          <>
            <p>
              Their access was revoked{person.accessRevokedAt ? ` on ${formatMoment(person.accessRevokedAt)} UTC` : ""}. Their account,
              units and history are kept.{" "}
              {person.acceptedAt ? "Restoring lets them sign in again with their password." : "After restoring, send them a new invitation."}
            </p>
            {errorFor("restore")}
            <Form method="post">
              <button type="submit" name="intent" value="restore" className="button secondary">
                Restore access
              </button>
            </Form>
          </>
        ) : (
          <>
            <p>
              Revoking signs them out everywhere at once ({person.liveSessions} live {person.liveSessions === 1 ? "session" : "sessions"}),
              stops any link in their inbox from working and refuses their sign-ins. Nothing is deleted: you can restore access later.
            </p>
            {errorFor("revoke")}
            <Form method="post">
              <button type="submit" name="intent" value="revoke" className="button danger">
                Revoke access
              </button>
            </Form>
          </>
        )}
      </section>
    </StaffFrame>
  );
}
