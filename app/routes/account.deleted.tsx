import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { AccountFrame } from "~/components/account-ui.tsx";
import accountsStyles from "~/styles/accounts.css";

// /account/deleted: where "delete my account" lands. It shows nothing personal.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction = () => [{ title: "Account deleted — Preference Center" }];

export default function AccountDeletedRoute() {
  return (
    <AccountFrame>
      <div role="status">
        <h1>Your account was deleted</h1>
        <p className="lede">
          Your account and your email preferences are gone, and you are signed out. We will not add your address to our promotional
          lists again.
        </p>
        <p>
          <Link to="/">Go to the home page</Link>
        </p>
      </div>
    </AccountFrame>
  );
}
