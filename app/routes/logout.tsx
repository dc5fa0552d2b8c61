import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { tFor } from "~/i18n/i18n.ts";
import { metaLanguage } from "~/i18n/meta.ts";
import { closeSession, readSignedInUser } from "~/domain/accounts/sessions.server.ts";
import { AccountFrame } from "~/components/account-ui.tsx";
import accountsStyles from "~/styles/accounts.css";

// /logout: POST signs out (GET never changes anything, so a link or a prefetch cannot).

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction = ({ matches }) => [{ title: tFor(metaLanguage(matches))("account.signOut.title") }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (!(await readSignedInUser(request))) throw redirect("/login");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const setCookie = await closeSession(request);
  return redirect("/login?signedOut=1", { headers: { "Set-Cookie": setCookie } });
}

export default function LogoutRoute() {
  const { t } = useTranslation();
  return (
    <AccountFrame>
      <h1>{t("common.signOut")}</h1>
      <p className="lede">{t("account.signOut.lede")}</p>
      <Form method="post">
        <button type="submit" className="button">
          {t("common.signOut")}
        </button>
      </Form>
    </AccountFrame>
  );
}
