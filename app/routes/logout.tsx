import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form } from "@remix-run/react";
import { closeSession, readSignedInUser } from "~/domain/accounts/sessions.server.ts";
import { AccountFrame } from "~/components/account-ui.tsx";
import accountsStyles from "~/styles/accounts.css";

// /logout: POST signs out (GET never changes anything, so a link or a prefetch cannot).

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction = () => [{ title: "Sign out — Preference Center" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (!(await readSignedInUser(request))) throw redirect("/login");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const setCookie = await closeSession(request);
  return redirect("/login?signedOut=1", { headers: { "Set-Cookie": setCookie } });
}

export default function LogoutRoute() {
  return (
    <AccountFrame>
      <h1>Sign out</h1>
      <p className="lede">Sign out of your account on this device.</p>
      <Form method="post">
        <button type="submit" className="button">
          Sign out
        </button>
      </Form>
    </AccountFrame>
  );
}
