import { languageOfRequest } from "~/i18n/language.server.ts";
import { data, type ActionFunctionArgs, type LinksFunction, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { tFor } from "~/i18n/i18n.ts";
import { metaLanguage } from "~/i18n/meta.ts";
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
export const meta: MetaFunction = ({ matches }) => [{ title: tFor(metaLanguage(matches))("account.forgot.title") }];
export const headers = passThroughHeaders;

const ResetRequest = z.object({ email: EmailSchema });

type Outcome = { values?: { email?: string }; errors?: Record<string, string>; formError?: string; sentTo?: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = await parseForm(request, ResetRequest);
  if (!parsed.ok) return data<Outcome>({ values: { email: parsed.values.email }, errors: parsed.errors }, { status: parsed.status });
  const { email } = parsed.value;
  const result = await requestPasswordReset(email, requesterOf(request, context), new Date(), languageOfRequest(request));
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
  const { t } = useTranslation();
  if (outcome?.sentTo) {
    return (
      <AccountFrame>
        <div role="status">
          <h1>{t("account.signup.inbox")}</h1>
          <p className="lede">
            <Trans<"account.forgot.sent">
              t={t}
              i18nKey="account.forgot.sent"
              count={ONE_TIME_LINK_MINUTES.RESET_PASSWORD / 60}
              values={{ email: outcome.sentTo, count: ONE_TIME_LINK_MINUTES.RESET_PASSWORD / 60 }}
              components={{ strong: <strong /> }}
            />
          </p>
          <p>
            <Link to="/login">{t("account.forgot.back")}</Link>
          </p>
        </div>
      </AccountFrame>
    );
  }
  return (
    <AccountFrame>
      <h1>{t("account.forgot.heading")}</h1>
      <p className="lede">{t("account.forgot.lede")}</p>
      {outcome?.formError ? <FormMessage tone="error">{outcome.formError}</FormMessage> : null}
      <Form method="post">
        <Field label={t("common.emailAddress")} name="email" type="email" autoComplete="email" defaultValue={outcome?.values?.email} error={outcome?.errors?.email} maxLength={254} />
        <div className="form-actions">
          <button type="submit" className="button">
            {t("account.forgot.submit")}
          </button>
          <Link to="/login">{t("account.forgot.back")}</Link>
        </div>
      </Form>
    </AccountFrame>
  );
}
