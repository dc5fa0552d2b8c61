import { data, type ActionFunctionArgs, type LinksFunction, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { z } from "zod";
import { ONE_TIME_LINK_MINUTES } from "~/domain/accounts/link-lifetimes.ts";
import { requestPasswordReset } from "~/domain/accounts/password-reset.server.ts";
import { EmailSchema } from "~/domain/consent/email.ts";
import { AccountFrame, Field, FormMessage } from "~/components/account-ui.tsx";
import { inMinutes } from "~/utils/forms.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";

// /forgot-password: the same answer for every address; only an account's address gets a link.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction = () => [{ title: "Reset your password — Preference Center" }];
export const headers = passThroughHeaders;

const ResetRequest = z.object({ email: EmailSchema });

type Outcome = { values?: { email?: string }; errors?: Record<string, string>; formError?: string; sentTo?: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = await parseForm(request, ResetRequest);
  if (!parsed.ok) return data<Outcome>({ values: { email: parsed.values.email }, errors: parsed.errors }, { status: parsed.status });
  const { email } = parsed.value;
  const result = await requestPasswordReset(email, requesterOf(request, context));
  if (result.outcome === "throttled") {
    return data<Outcome>(
      { values: { email }, formError: `Too many reset links were asked for. Please try again ${inMinutes(result.retryAfterSeconds)}.` },
      { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
    );
  }
  return data<Outcome>({ sentTo: email });
}

export default function ForgotPasswordRoute() {
  const outcome = useActionData<typeof action>() as Outcome | undefined;
  if (outcome?.sentTo) {
    return (
      <AccountFrame>
        <div role="status">
          <h1>Check your inbox</h1>
          <p className="lede">
            If there is an account for <strong>{outcome.sentTo}</strong>, a link to choose a new password is on its way. It works once, for{" "}
            {ONE_TIME_LINK_MINUTES.RESET_PASSWORD / 60} hour.
          </p>
          <p>
            <Link to="/login">Back to sign in</Link>
          </p>
        </div>
      </AccountFrame>
    );
  }
  return (
    <AccountFrame>
      <h1>Reset your password</h1>
      <p className="lede">Enter the email address of your account and we will send you a link to choose a new password.</p>
      {outcome?.formError ? <FormMessage tone="error">{outcome.formError}</FormMessage> : null}
      <Form method="post">
        <Field label="Email address" name="email" type="email" autoComplete="email" defaultValue={outcome?.values?.email} error={outcome?.errors?.email} maxLength={254} />
        <div className="form-actions">
          <button type="submit" className="button">
            Email me a reset link
          </button>
          <Link to="/login">Back to sign in</Link>
        </div>
      </Form>
    </AccountFrame>
  );
}
