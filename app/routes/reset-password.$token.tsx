import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { tFor } from "~/i18n/i18n.ts";
import { metaLanguage } from "~/i18n/meta.ts";
import { NewPasswordForm } from "~/domain/accounts/fields.ts";
import { checkResetLink, resetPassword } from "~/domain/accounts/password-reset.server.ts";
import { AccountFrame, AccountLinkProblem, NewPasswordField } from "~/components/account-ui.tsx";
import { linkProblemAnswer, loadLinkPage } from "~/utils/link-answer.server.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";

// /reset-password/<token>: GET shows the form (and uses nothing up); POST sets the password.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction = ({ matches }) => [
  { title: tFor(metaLanguage(matches))("account.reset.title") },
  { name: "robots", content: "noindex" },
  { name: "referrer", content: "same-origin" },
];
export const headers = passThroughHeaders;

const NO_LINK = { email: null };

export async function loader({ params }: LoaderFunctionArgs) {
  return loadLinkPage(params.token, checkResetLink, (link) => ({ email: link.email }), NO_LINK);
}

type Outcome = { errors?: Record<string, string>; suggestion?: string | null };

export async function action({ params, request, context }: ActionFunctionArgs) {
  // A password is never sent back to the page: only the errors.
  const parsed = await parseForm(request, NewPasswordForm);
  if (!parsed.ok) return data<Outcome>({ errors: parsed.errors }, { status: parsed.status });
  const result = await resetPassword(params.token ?? "", parsed.value.password, request, requesterOf(request, context));
  switch (result.outcome) {
    case "reset":
      return redirect("/account?passwordReset=1", { headers: { "Set-Cookie": result.setCookie } });
    case "weak-password":
      return data<Outcome>({ errors: { password: result.message }, suggestion: result.suggestion }, { status: 400 });
    case "bad-link":
      return linkProblemAnswer(result.reason, NO_LINK);
  }
}

export default function ResetPasswordRoute() {
  const loaded = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() as Outcome | undefined;
  const { t } = useTranslation();
  if (loaded.problem) return <AccountLinkProblem reason={loaded.problem} next={{ to: "/forgot-password", label: t("account.reset.again") }} />;
  return (
    <AccountFrame>
      <h1>{t("account.reset.heading")}</h1>
      <p className="lede">
        <Trans<"account.reset.lede"> t={t} i18nKey="account.reset.lede" values={{ email: loaded.email ?? "" }} components={{ strong: <strong /> }} />
      </p>
      <Form method="post">
        <input type="text" value={loaded.email ?? ""} autoComplete="username" readOnly hidden />
        <NewPasswordField label={t("account.reset.newPassword")} name="password" error={outcome?.errors?.password} suggestion={outcome?.suggestion} />
        <div className="form-actions">
          <button type="submit" className="button">
            {t("account.reset.submit")}
          </button>
        </div>
      </Form>
    </AccountFrame>
  );
}
