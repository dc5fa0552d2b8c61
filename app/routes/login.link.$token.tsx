import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { tFor } from "~/i18n/i18n.ts";
import { metaLanguage } from "~/i18n/meta.ts";
import { checkSignInLink, signInWithLink } from "~/domain/accounts/sign-in.server.ts";
import { homeFor } from "~/domain/accounts/safe-redirect.ts";
import { AccountFrame, AccountLinkProblem } from "~/components/account-ui.tsx";
import { linkProblemAnswer, loadLinkPage } from "~/utils/link-answer.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";

// /login/link/<token>: the emailed sign-in link. GET only shows a button (mail scanners follow
// links and must not sign anyone in, nor use the link up); the POST signs in.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction = ({ matches }) => [
  { title: tFor(metaLanguage(matches))("account.login.title") },
  { name: "robots", content: "noindex" },
  { name: "referrer", content: "same-origin" },
];
export const headers = passThroughHeaders;

export async function loader({ params }: LoaderFunctionArgs) {
  return loadLinkPage(params.token, checkSignInLink, () => ({}), {});
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  const result = await signInWithLink(params.token ?? "", request, requesterOf(request, context));
  if (result.outcome === "bad-link") return linkProblemAnswer(result.reason, {});
  return redirect(homeFor(result.role), { headers: { "Set-Cookie": result.setCookie } });
}

export default function SignInLinkRoute() {
  const loaded = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  if (loaded.problem) return <AccountLinkProblem reason={loaded.problem} next={{ to: "/login", label: t("account.signInLink.again") }} />;
  return (
    <AccountFrame>
      <h1>{t("account.login.heading")}</h1>
      <p className="lede">{t("account.signInLink.lede")}</p>
      <Form method="post">
        <button type="submit" className="button">
          {t("account.login.submit")}
        </button>
      </Form>
    </AccountFrame>
  );
}
