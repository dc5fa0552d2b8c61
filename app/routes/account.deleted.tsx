import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { tFor } from "~/i18n/i18n.ts";
import { metaLanguage } from "~/i18n/meta.ts";
import { AccountFrame } from "~/components/account-ui.tsx";
import accountsStyles from "~/styles/accounts.css";

// /account/deleted: where "delete my account" lands. It shows nothing personal.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction = ({ matches }) => [{ title: tFor(metaLanguage(matches))("account.deleted.title") }];

export default function AccountDeletedRoute() {
  const { t } = useTranslation();
  return (
    <AccountFrame>
      <div role="status">
        <h1>{t("account.deleted.heading")}</h1>
        <p className="lede">{t("account.deleted.lede")}</p>
        <p>
          <Link to="/">{t("common.error.home")}</Link>
        </p>
      </div>
    </AccountFrame>
  );
}
