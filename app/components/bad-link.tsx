import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { LinkTokenFailure } from "~/domain/tokens/link-tokens.server.ts";
import { PlainPage } from "./branded-page.tsx";

export type BadLinkReason = LinkTokenFailure | "gone";

/** Links that were once good answer 410 Gone; links that never were answer 400. */
export function badLinkStatus(reason: BadLinkReason): 400 | 410 {
  return reason === "expired" || reason === "retired-key" || reason === "revoked-key" || reason === "gone" ? 410 : 400;
}

/** The page for an unusable link: what happened, and a way to get a fresh one by email. */
export function BadLink({ reason }: { reason: BadLinkReason }) {
  const { t } = useTranslation();
  const expired = badLinkStatus(reason) === 410;
  return (
    <PlainPage>
      <h1>{t("common.badLink.title")}</h1>
      <p className="lede">{expired ? t("common.badLink.expired") : t("common.badLink.broken")}</p>
      <p>{t("common.badLink.askAgain")}</p>
      <NewLinkForm />
    </PlainPage>
  );
}

export function NewLinkForm({ error }: { error?: string | null }) {
  const { t } = useTranslation();
  return (
    <Form method="post" action="/links/new" className="new-link">
      <label htmlFor="new-link-email">{t("common.emailAddress")}</label>
      <input
        id="new-link-email"
        name="email"
        type="email"
        autoComplete="email"
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "new-link-error" : undefined}
      />
      {error ? (
        <p id="new-link-error" className="error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button">{t("common.badLink.send")}</button>
    </Form>
  );
}
