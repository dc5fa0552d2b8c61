import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { tFor } from "~/i18n/i18n.ts";
import { metaLanguage } from "~/i18n/meta.ts";
import { openLinkSession } from "~/domain/accounts/sessions.server.ts";
import { maskEmail } from "~/domain/consent/email.ts";
import { getKeyring } from "~/domain/tokens/keyring.server.ts";
import { checkLink } from "~/domain/tokens/link-tokens.server.ts";
import { findLinkContact } from "~/domain/unsubscribe/unsubscribe.server.ts";
import { BadLink, badLinkStatus } from "~/components/bad-link.tsx";
import { PlainPage } from "~/components/branded-page.tsx";
import { requesterOf } from "~/utils/request.server.ts";

// /p/<token>: the preferences link from an email. GET only shows a button (link scanners
// must not open sessions); the POST opens a short session for this contact alone.

export const meta: MetaFunction<typeof loader> = ({ matches }) => [{ title: tFor(metaLanguage(matches))("pages.link.title") }, { name: "robots", content: "noindex" }];

async function verify(token: string | undefined) {
  return checkLink(await getKeyring(), token ?? "", "preferences");
}

export async function loader({ params }: LoaderFunctionArgs) {
  const link = await verify(params.token);
  if (!link.ok) return data({ badLink: link.failure }, { status: badLinkStatus(link.failure) });
  const email = await findLinkContact(link.claims.contactId);
  if (!email) return data({ badLink: "gone" as const }, { status: 410 });
  return { maskedEmail: maskEmail(email) };
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  const link = await verify(params.token);
  if (!link.ok) return data({ badLink: link.failure }, { status: badLinkStatus(link.failure) });
  if (!(await findLinkContact(link.claims.contactId))) return data({ badLink: "gone" as const }, { status: 410 });
  const setCookie = await openLinkSession(link.claims, requesterOf(request, context));
  return redirect("/preferences", { headers: { "Set-Cookie": setCookie } });
}

export default function PreferencesLinkRoute() {
  const loaded = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  if ("badLink" in loaded) return <BadLink reason={loaded.badLink} />;
  return (
    <PlainPage>
      <h1>{t("pages.link.heading")}</h1>
      <p className="lede">
        <Trans<"pages.link.lede"> t={t} i18nKey="pages.link.lede" values={{ email: loaded.maskedEmail }} components={{ strong: <strong /> }} />
      </p>
      <Form method="post">
        <button type="submit" className="button">
          {t("pages.link.open")}
        </button>
      </Form>
    </PlainPage>
  );
}
