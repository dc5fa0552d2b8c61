import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { checkEmailChangeLink, confirmEmailChange, type EmailChangeConfirmation } from "~/domain/accounts/account.server.ts";
import { AccountFrame, AccountLinkProblem, type LinkProblem } from "~/components/account-ui.tsx";
import { linkProblemStatus, loadLinkPage } from "~/utils/link-answer.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";

// /account/confirm-email/<token>: the link sent to a NEW address. GET shows a button (scanners
// follow links); the POST applies the change. It needs no session: the link is the proof.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction = () => [
  { title: "Confirm your new email address — Preference Center" },
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
  if (outcome?.outcome === "changed") {
    return (
      <AccountFrame>
        <div role="status">
          <h1>Your email address was changed</h1>
          <p className="lede">
            From now on we use <strong>{outcome.newEmail}</strong> for your account and your email preferences.
          </p>
          <p>
            <Link to="/account" className="button">
              Go to your account
            </Link>
          </p>
        </div>
      </AccountFrame>
    );
  }
  if (outcome?.outcome === "address-has-account") {
    return (
      <AccountFrame>
        <h1>That address has its own account</h1>
        <p className="lede">
          Your address was not changed. To use this address, sign in to its account instead, or delete that account first.
        </p>
        <p>
          <Link to="/account" className="button secondary">
            Go to your account
          </Link>
        </p>
      </AccountFrame>
    );
  }
  const reason = outcome?.outcome === "bad-link" ? outcome.reason : loaded.problem;
  if (reason) return <AccountLinkProblem reason={reason} next={{ to: "/account", label: "Go to your account" }} />;
  return (
    <AccountFrame>
      <h1>Confirm your new email address</h1>
      <p className="lede">
        Use <strong>{loaded.newEmail}</strong> for your account and your email preferences from now on.
      </p>
      <Form method="post">
        <button type="submit" className="button">
          Confirm new address
        </button>
      </Form>
    </AccountFrame>
  );
}
