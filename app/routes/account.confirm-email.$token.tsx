import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { tFor } from "~/i18n/i18n.ts";
import { metaLanguage } from "~/i18n/meta.ts";
import { checkEmailChangeLink, confirmEmailChange, type EmailChangeConfirmation } from "~/domain/accounts/account.server.ts";
import { AccountFrame, AccountLinkProblem, type LinkProblem } from "~/components/account-ui.tsx";
import { linkProblemStatus, loadLinkPage } from "~/utils/link-answer.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";

// /account/confirm-email/<token>: the link sent to a NEW address. GET shows a button (scanners
// follow links); the POST applies the change. It needs no session: the link is the proof.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction = ({ matches }) => [
  { title: tFor(metaLanguage(matches))("account.confirmEmail.title") },
  { name: "robots", content: "noindex" },
  { name: "referrer", content: "same-origin" },
];
export const headers = passThroughHeaders;

export async function loader({ params }: LoaderFunctionArgs) {
  return loadLinkPage(params.token, checkEmailChangeLink, (link) => ({ newEmail: link.newEmail }), { newEmail: null });
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  const result = await confirmEmailChange(params.token ?? "", requesterOf(request, context));
  if (result.outcome === "bad-link") return data<EmailChangeConfirmation>(result, { status: linkProblemStatus(result.reason) });
  return data<EmailChangeConfirmation>(result, { status: result.outcome === "changed" ? 200 : 409 });
}

export default function ConfirmEmailRoute() {
  const loaded = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() as EmailChangeConfirmation | undefined;
  const { t } = useTranslation();
  if (outcome?.outcome === "changed") {
    return (
      <AccountFrame>
        <div role="status">
          <h1>{t("account.page.notice.emailChanged")}</h1>
          <p className="lede">
            <Trans<"account.confirmEmail.changed"> t={t} i18nKey="account.confirmEmail.changed" values={{ email: outcome.newEmail }} components={{ strong: <strong /> }} />
          </p>
          <p>
            <Link to="/account" className="button">
              {t("account.confirmEmail.toAccount")}
            </Link>
          </p>
        </div>
      </AccountFrame>
    );
  }
  if (outcome?.outcome === "address-has-account") {
    return (
      <AccountFrame>
        <h1>{t("account.confirmEmail.taken")}</h1>
        <p className="lede">{t("account.confirmEmail.takenText")}</p>
        <p>
          <Link to="/account" className="button secondary">
            {t("account.confirmEmail.toAccount")}
          </Link>
        </p>
      </AccountFrame>
    );
  }
  const reason = outcome?.outcome === "bad-link" ? outcome.reason : loaded.problem;
  if (reason) return <AccountLinkProblem reason={reason} next={{ to: "/account", label: t("account.confirmEmail.toAccount") }} />;
  return (
    <AccountFrame>
      <h1>{t("account.confirmEmail.heading")}</h1>
      <p className="lede">
        <Trans<"account.confirmEmail.lede"> t={t} i18nKey="account.confirmEmail.lede" values={{ email: loaded.newEmail ?? "" }} components={{ strong: <strong /> }} />
      </p>
      <Form method="post">
        <button type="submit" className="button">
          {t("account.confirmEmail.submit")}
        </button>
      </Form>
    </AccountFrame>
  );
}
