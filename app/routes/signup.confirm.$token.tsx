import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CurrentPasswordForm } from "~/domain/accounts/fields.ts";
import { checkSignUpLink, confirmSignUp } from "~/domain/accounts/sign-up.server.ts";
import { AccountFrame, AccountLinkProblem, Field, FormMessage } from "~/components/account-ui.tsx";
import { linkProblemAnswer, loadLinkPage } from "~/utils/link-answer.server.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { formatMoment } from "~/utils/format.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";

// /signup/confirm/<token>: finishing a sign-up. The link proves the mailbox, the password proves
// the person who signed up: both are needed before the account is linked to the address.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction = () => [
  { title: "Confirm your address — Preference Center" },
  { name: "robots", content: "noindex" },
  { name: "referrer", content: "same-origin" },
];
export const headers = passThroughHeaders;

const NO_LINK = { email: null };

export async function loader({ params }: LoaderFunctionArgs) {
  return loadLinkPage(params.token, checkSignUpLink, (link) => ({ email: link.email }), NO_LINK);
}

type Outcome = { errors?: Record<string, string>; formError?: string };

export async function action({ params, request, context }: ActionFunctionArgs) {
  // A password is never sent back to the page: only the errors.
  const parsed = await parseForm(request, CurrentPasswordForm);
  if (!parsed.ok) return data<Outcome>({ errors: parsed.errors }, { status: parsed.status });
  const result = await confirmSignUp(params.token ?? "", parsed.value.password, request, requesterOf(request, context));
  switch (result.outcome) {
    case "signed-in":
      // First steps: choose what to hear about (skipping leads to the account page).
      return redirect("/welcome", { headers: { "Set-Cookie": result.setCookie } });
    case "wrong-password":
      return data<Outcome>({ errors: { password: "That is not the password you chose when you signed up." } }, { status: 401 });
    case "locked":
      return data<Outcome>(
        { formError: `Too many failed attempts: please try again after ${formatMoment(result.until)} UTC.` },
        { status: 429, headers: { "Retry-After": String(Math.max(1, Math.ceil((result.until.getTime() - Date.now()) / 1000))) } },
      );
    case "bad-link":
      return linkProblemAnswer(result.reason, NO_LINK);
  }
}

export default function ConfirmSignUpRoute() {
  const loaded = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() as Outcome | undefined;
  if (loaded.problem) return <AccountLinkProblem reason={loaded.problem} next={{ to: "/signup", label: "Sign up again" }} />;
  return (
    <AccountFrame>
      <h1>Confirm your address</h1>
      <p className="lede">
        One last step for <strong>{loaded.email}</strong>: enter the password you chose when you signed up.
      </p>
      {outcome?.formError ? <FormMessage tone="error">{outcome.formError}</FormMessage> : null}
      <Form method="post">
        <input type="text" value={loaded.email ?? ""} autoComplete="username" readOnly hidden />
        <Field label="Password" name="password" type="password" autoComplete="current-password" error={outcome?.errors?.password} />
        <div className="form-actions">
          <button type="submit" className="button">
            Confirm and sign in
          </button>
        </div>
      </Form>
    </AccountFrame>
  );
}
