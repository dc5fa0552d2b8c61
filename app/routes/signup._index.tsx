import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { tFor } from "~/i18n/i18n.ts";
import { languageOfRequest } from "~/i18n/language.server.ts";
import { z } from "zod";
import { readSignedInUser } from "~/domain/accounts/sessions.server.ts";
import { signUp } from "~/domain/accounts/sign-up.server.ts";
import { whyNoAccountMail } from "~/domain/accounts/account-mail.server.ts";
import { ONE_TIME_LINK_MINUTES } from "~/domain/accounts/link-lifetimes.ts";
import { NameSchema, NewPasswordSchema } from "~/domain/accounts/fields.ts";
import { EmailSchema } from "~/domain/consent/email.ts";
import { AccountFrame, Field, FormMessage, NewPasswordField } from "~/components/account-ui.tsx";
import { inMinutes } from "~/utils/forms.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";

// /signup: a subscriber account. The answer is "check your inbox" for every address mail can
// reach, whether it is new, already has an account (its holder gets a sign-in link instead) or
// was erased (the person is coming back). Where no mail can go, the page says so.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: tFor(data?.language ?? "en")("account.signup.title") }];
export const headers = passThroughHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  if (await readSignedInUser(request)) throw redirect("/account");
  return { language: languageOfRequest(request) };
}

const SignUpRequest = z.object({
  email: EmailSchema,
  name: NameSchema,
  password: NewPasswordSchema,
});

type Outcome = {
  values?: { email?: string; name?: string };
  errors?: Record<string, string>;
  suggestion?: string | null;
  formError?: string;
  sentTo?: string;
};

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = await parseForm(request, SignUpRequest);
  // What was typed goes back to the form, never the password.
  if (!parsed.ok) return data<Outcome>({ values: { email: parsed.values.email, name: parsed.values.name }, errors: parsed.errors }, { status: parsed.status });
  const input = parsed.value;
  const values = { email: input.email, name: input.name };
  const result = await signUp({ ...input, language: languageOfRequest(request) }, requesterOf(request, context));
  switch (result.outcome) {
    case "check-inbox":
      return data<Outcome>({ sentTo: input.email });
    case "cannot-mail":
      return result.reason === "no-sender"
        ? data<Outcome>({ values, formError: whyNoAccountMail(result.reason, input.email) }, { status: 503 })
        : data<Outcome>({ values, errors: { email: whyNoAccountMail(result.reason, input.email) } }, { status: 400 });
    case "weak-password":
      return data<Outcome>({ values, errors: { password: result.message }, suggestion: result.suggestion }, { status: 400 });
    case "throttled":
      return data<Outcome>(
        { values, formError: `Too many sign-ups were tried. Please try again ${inMinutes(result.retryAfterSeconds)}.` },
        { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
      );
  }
}

export default function SignUpRoute() {
  const outcome = useActionData<typeof action>() as Outcome | undefined;
  const { t } = useTranslation();
  if (outcome?.sentTo) {
    return (
      <AccountFrame>
        <div role="status">
          <h1>{t("account.signup.inbox")}</h1>
          <p className="lede">
            <Trans<"account.signup.sent">
              t={t}
              i18nKey="account.signup.sent"
              values={{ email: outcome.sentTo, hours: ONE_TIME_LINK_MINUTES.CONFIRM_SIGN_UP / 60 }}
              components={{ strong: <strong /> }}
            />
          </p>
          <p>
            <Trans<"account.signup.nothing"> t={t} i18nKey="account.signup.nothing" components={{ again: <Link to="/signup" /> }} />
          </p>
        </div>
      </AccountFrame>
    );
  }
  const errors = outcome?.errors ?? {};
  return (
    <AccountFrame>
      <h1>{t("account.signup.heading")}</h1>
      <p className="lede">{t("account.signup.lede")}</p>
      {outcome?.formError ? <FormMessage tone="error">{outcome.formError}</FormMessage> : null}
      <Form method="post">
        <Field label={t("account.signup.name")} name="name" autoComplete="name" defaultValue={outcome?.values?.name} error={errors.name} maxLength={100} />
        <Field label={t("common.emailAddress")} name="email" type="email" autoComplete="email" defaultValue={outcome?.values?.email} error={errors.email} maxLength={254} />
        <NewPasswordField label={t("account.password")} name="password" error={errors.password} suggestion={outcome?.suggestion} />
        <div className="form-actions">
          <button type="submit" className="button">
            {t("account.signup.submit")}
          </button>
        </div>
      </Form>
      <div className="page-footnote">
        <p>
          <Trans<"account.signup.haveAccount"> t={t} i18nKey="account.signup.haveAccount" components={{ login: <Link to="/login" /> }} />
        </p>
      </div>
    </AccountFrame>
  );
}
