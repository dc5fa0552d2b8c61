import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { NewPasswordForm } from "~/domain/accounts/fields.ts";
import { acceptInvite, checkInviteLink } from "~/domain/accounts/people.server.ts";
import { homeFor } from "~/domain/accounts/safe-redirect.ts";
import { AccountFrame, NewPasswordField, type LinkProblem } from "~/components/account-ui.tsx";
import { linkProblemAnswer, loadLinkPage } from "~/utils/link-answer.server.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";

// /invite/<token>: an admin invited this person. GET shows the form (mail scanners follow links:
// nothing is used up); the POST sets the password, verifies the address and signs them in.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction = () => [
  { title: "Accept your invitation — Preference Center" },
  { name: "robots", content: "noindex" },
  { name: "referrer", content: "same-origin" },
];
export const headers = passThroughHeaders;

const NO_LINK = { email: null, role: null };

export async function loader({ params }: LoaderFunctionArgs) {
  return loadLinkPage(params.token, checkInviteLink, (link) => ({ email: link.email, role: link.role }), NO_LINK);
}

type Outcome = { errors?: Record<string, string>; suggestion?: string | null };

export async function action({ params, request, context }: ActionFunctionArgs) {
  // A password is never sent back to the page: only the errors.
  const parsed = await parseForm(request, NewPasswordForm);
  if (!parsed.ok) return data<Outcome>({ errors: parsed.errors }, { status: parsed.status });
  const result = await acceptInvite(params.token ?? "", parsed.value.password, request, requesterOf(request, context));
  switch (result.outcome) {
    case "signed-in":
      return redirect(homeFor(result.role), { headers: { "Set-Cookie": result.setCookie } });
    case "weak-password":
      return data<Outcome>({ errors: { password: result.message }, suggestion: result.suggestion }, { status: 400 });
    case "bad-link":
      return linkProblemAnswer(result.reason, NO_LINK);
  }
}

const WHY: Record<LinkProblem, string> = {
  used: "This invitation has already been accepted. Each invitation link works once.",
  expired: "This invitation has expired or was withdrawn. Invitation links work for 7 days, and a newer invitation replaces an older one.",
  unknown: "The link may have been cut short or changed on its way to you.",
};

export default function InviteRoute() {
  const loaded = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() as Outcome | undefined;
  if (loaded.problem) {
    return (
      <AccountFrame>
        <h1>This invitation no longer works</h1>
        <p className="lede">{WHY[loaded.problem]}</p>
        <p>
          {loaded.problem === "used" ? "Sign in with the password you chose." : "Ask the admin who invited you to send a new invitation."}
        </p>
        <p>
          <Link to="/login" className="button">
            Go to sign-in
          </Link>
        </p>
      </AccountFrame>
    );
  }
  return (
    <AccountFrame>
      <h1>Accept your invitation</h1>
      <p className="lede">
        You are invited to work in the Preference Center as {loaded.role === "ADMIN" ? "an admin" : "a marketer"}. Choose a password
        for <strong>{loaded.email}</strong> to finish.
      </p>
      <Form method="post">
        <input type="text" value={loaded.email ?? ""} autoComplete="username" readOnly hidden />
        <NewPasswordField label="Choose a password" name="password" error={outcome?.errors?.password} suggestion={outcome?.suggestion} />
        <div className="form-actions">
          <button type="submit" className="button">
            Save password and sign in
          </button>
        </div>
      </Form>
    </AccountFrame>
  );
}
