import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { z } from "zod";
import { BrowserTimeZone } from "~/components/language-switch.tsx";
import { noteTimeZone } from "~/domain/language/choice.server.ts";
import { tFor } from "~/i18n/i18n.ts";
import { metaLanguage } from "~/i18n/meta.ts";
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
export const meta: MetaFunction<typeof loader> = ({ matches }) => [
  { title: tFor(metaLanguage(matches))("account.confirmSignUp.title") },
  { name: "robots", content: "noindex" },
  { name: "referrer", content: "same-origin" },
];
export const headers = passThroughHeaders;

const NO_LINK = { email: null };

export async function loader({ params }: LoaderFunctionArgs) {
  return loadLinkPage(params.token, checkSignUpLink, (link) => ({ email: link.email }), NO_LINK);
}

/** The password, and the browser's time zone (JavaScript fills it in), which dates the new account's pages and mail. */
const ConfirmForm = CurrentPasswordForm.extend({ timeZone: z.string().max(64).optional() });

type Outcome = { errors?: Record<string, string>; formError?: string };

export async function action({ params, request, context }: ActionFunctionArgs) {
  // A password is never sent back to the page: only the errors.
  const parsed = await parseForm(request, ConfirmForm);
  if (!parsed.ok) return data<Outcome>({ errors: parsed.errors }, { status: parsed.status });
  const result = await confirmSignUp(params.token ?? "", parsed.value.password, request, requesterOf(request, context));
  switch (result.outcome) {
    case "signed-in":
      await noteTimeZone(result.userId, parsed.value.timeZone);
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
  const { t } = useTranslation();
  if (loaded.problem) return <AccountLinkProblem reason={loaded.problem} next={{ to: "/signup", label: t("account.confirmSignUp.again") }} />;
  return (
    <AccountFrame>
      <h1>{t("account.confirmSignUp.heading")}</h1>
      <p className="lede">
        <Trans<"account.confirmSignUp.lede">
          t={t}
          i18nKey="account.confirmSignUp.lede"
          values={{ email: loaded.email ?? "" }}
          components={{ strong: <strong /> }}
        />
      </p>
      {outcome?.formError ? <FormMessage tone="error">{outcome.formError}</FormMessage> : null}
      <Form method="post">
        <input type="text" value={loaded.email ?? ""} autoComplete="username" readOnly hidden />
        <BrowserTimeZone />
        <Field label={t("account.password")} name="password" type="password" autoComplete="current-password" error={outcome?.errors?.password} />
        <div className="form-actions">
          <button type="submit" className="button">
            {t("account.confirmSignUp.submit")}
          </button>
        </div>
      </Form>
    </AccountFrame>
  );
}
