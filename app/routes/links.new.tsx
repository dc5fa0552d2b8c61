import { data, type ActionFunctionArgs, type HeadersFunction, type MetaFunction } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { tFor } from "~/i18n/i18n.ts";
import { metaLanguage } from "~/i18n/meta.ts";
import { z } from "zod";
import { EmailSchema } from "~/domain/consent/email.ts";
import { requestNewPreferencesLink } from "~/domain/unsubscribe/new-link.server.ts";
import { NewLinkForm } from "~/components/bad-link.tsx";
import { PlainPage } from "~/components/branded-page.tsx";
import { inMinutes } from "~/utils/forms.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";

// /links/new: "email me a new link". The answer never says whether the address is known.

export const meta: MetaFunction = ({ matches }) => [{ title: tFor(metaLanguage(matches))("pages.newLink.title") }];

// Retry-After on a 429 must reach the response: Remix applies route headers only through this.
export const headers: HeadersFunction = ({ actionHeaders }) => actionHeaders;

const NewLinkRequest = z.object({ email: EmailSchema });

type Outcome = { sent: true } | { errors: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = await parseForm(request, NewLinkRequest);
  if (!parsed.ok) return data<Outcome>({ errors: parsed.errors }, { status: parsed.status });
  const result = await requestNewPreferencesLink(parsed.value.email, requesterOf(request, context));
  if (!result.allowed) {
    return data<Outcome>(
      { errors: { form: `Too many requests. Please try again ${inMinutes(result.retryAfterSeconds)}.` } },
      { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
    );
  }
  return data<Outcome>({ sent: true });
}

export default function NewLinkRoute() {
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <PlainPage>
      {outcome && "sent" in outcome ? (
        <div role="status">
          <h1>{t("account.signup.inbox")}</h1>
          <p className="lede">{t("pages.newLink.sent")}</p>
        </div>
      ) : (
        <>
          <h1>{t("pages.newLink.heading")}</h1>
          <p className="lede">{t("common.badLink.askAgain")}</p>
          {/* The form has one field: its message and the whole form's share one place. */}
          <NewLinkForm error={outcome && "errors" in outcome ? (outcome.errors.email ?? outcome.errors.form) : null} />
        </>
      )}
    </PlainPage>
  );
}
