import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { tFor } from "~/i18n/i18n.ts";
import { languageOfRequest } from "~/i18n/language.server.ts";
import { z } from "zod";
import { readSignedInUser } from "~/domain/accounts/sessions.server.ts";
import { requestSignInLink, signInWithPassword } from "~/domain/accounts/sign-in.server.ts";
import { whyNoAccountMail } from "~/domain/accounts/account-mail.server.ts";
import { ONE_TIME_LINK_MINUTES } from "~/domain/accounts/link-lifetimes.ts";
import { homeFor, safeRedirect } from "~/domain/accounts/safe-redirect.ts";
import { CurrentPasswordSchema, UNREADABLE_FORM } from "~/domain/accounts/fields.ts";
import { EmailSchema } from "~/domain/consent/email.ts";
import { AccountFrame, Field, FormMessage } from "~/components/account-ui.tsx";
import { formatMomentFor } from "~/utils/format.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import { parseForm } from "~/utils/parse-form.server.ts";

// /login: email + password, or "email me a sign-in link". Every answer about an address is
// the same whether or not it has an account.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: tFor(data?.language ?? "en")("account.login.title") }];
export const headers = passThroughHeaders;


export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  // Empty when no page asked: the action then sends each person to their own home page.
  const asked = url.searchParams.get("redirectTo");
  const redirectTo = asked ? safeRedirect(asked) : "";
  const user = await readSignedInUser(request);
  if (user) throw redirect(safeRedirect(url.searchParams.get("redirectTo"), homeFor(user.role)));
  const signedOut = url.searchParams.get("signedOut");
  return data(
    { redirectTo, signedOut: signedOut === "everywhere" ? "everywhere" : signedOut ? "here" : null, language: languageOfRequest(request) },
    { headers: { "Cache-Control": "no-store" } },
  );
}

const SignInRequest = z.preprocess(
  // A post that names no button signs in with the password, as the form's first button does.
  (form) => ({ intent: "password", ...(form as object) }),
  z.discriminatedUnion("intent", [
    z.object({
      intent: z.literal("password"),
      email: EmailSchema,
      password: CurrentPasswordSchema,
      redirectTo: z.string().optional(),
    }),
    z.object({ intent: z.literal("link"), email: EmailSchema }),
  ]),
);

type Outcome = {
  email?: string;
  errors?: Record<string, string>;
  /** Shown above the form as an alert. */
  formError?: string;
  linkRequested?: boolean;
};

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = await parseForm(request, SignInRequest);
  if (!parsed.ok) {
    // An error about a field the page does not show (the intent, redirectTo) is about the whole form.
    const formError = Object.keys(parsed.errors).some((name) => name !== "email" && name !== "password") ? UNREADABLE_FORM : undefined;
    return data<Outcome>({ email: parsed.values.email, errors: parsed.errors, formError }, { status: parsed.status });
  }
  const input = parsed.value;
  const requester = requesterOf(request, context);
  // The answer in the language the page was shown in (a visitor's ?lang= travels with the form).
  const language = languageOfRequest(request);
  const t = tFor(language);
  const minutes = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));

  if (input.intent === "link") {
    const result = await requestSignInLink(input.email, requester, new Date(), language);
    if (result.outcome === "throttled") {
      return data<Outcome>(
        { email: input.email, formError: t("account.login.tooManyLinks", { count: minutes(result.retryAfterSeconds) }) },
        { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
      );
    }
    return data<Outcome>({ email: input.email, linkRequested: true });
  }

  const result = await signInWithPassword({ ...input, language }, request, requester);
  switch (result.outcome) {
    case "signed-in":
      return redirect(safeRedirect(input.redirectTo, homeFor(result.role)), { headers: { "Set-Cookie": result.setCookie } });
    case "wrong-credentials":
      return data<Outcome>({ email: input.email, formError: t("account.login.wrong") }, { status: 401 });
    case "locked": {
      const seconds = Math.ceil((result.until.getTime() - Date.now()) / 1000);
      return data<Outcome>(
        {
          email: input.email,
          formError: t("account.login.locked", { moment: formatMomentFor(result.until, { language }) }),
        },
        { status: 429, headers: { "Retry-After": String(Math.max(seconds, 1)) } },
      );
    }
    case "throttled":
      return data<Outcome>(
        { email: input.email, formError: t("account.login.tooManyAttempts", { count: minutes(result.retryAfterSeconds) }) },
        { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
      );
    case "unconfirmed":
      return data<Outcome>(
        {
          email: input.email,
          formError: result.linkSent
            ? t("account.login.unconfirmedSent")
            : `Please confirm your email address first. ${whyNoAccountMail(result.reason, input.email)}`,
        },
        { status: !result.linkSent && result.reason === "no-sender" ? 503 : 403 },
      );
  }
}

export default function LoginRoute() {
  const { redirectTo, signedOut } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() as Outcome | undefined;
  const errors = outcome?.errors ?? {};
  const { t } = useTranslation();
  return (
    <AccountFrame>
      <h1>{t("account.login.heading")}</h1>
      <p className="lede">{t("account.login.lede")}</p>
      {signedOut === "here" ? <FormMessage tone="info">{t("account.login.signedOut")}</FormMessage> : null}
      {signedOut === "everywhere" ? <FormMessage tone="info">{t("account.login.signedOutEverywhere")}</FormMessage> : null}
      {outcome?.linkRequested ? (
        <FormMessage tone="success">
          <p>
            <Trans<"account.login.linkSent">
              t={t}
              i18nKey="account.login.linkSent"
              values={{ email: outcome.email ?? "", minutes: ONE_TIME_LINK_MINUTES.SIGN_IN }}
              components={{ strong: <strong /> }}
            />
          </p>
        </FormMessage>
      ) : null}
      {outcome?.formError ? <FormMessage tone="error">{outcome.formError}</FormMessage> : null}
      <Form method="post">
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field label={t("common.emailAddress")} name="email" type="email" autoComplete="username" defaultValue={outcome?.email} error={errors.email} maxLength={254} />
        <Field
          label={t("account.password")}
          name="password"
          type="password"
          autoComplete="current-password"
          error={errors.password}
          required={false}
        />
        <div className="form-actions">
          <button type="submit" name="intent" value="password" className="button">
            {t("account.login.submit")}
          </button>
          <Link to="/forgot-password">{t("account.login.forgot")}</Link>
        </div>
        <p className="or-divider">{t("account.login.or")}</p>
        <div className="form-actions">
          <button type="submit" name="intent" value="link" className="button secondary">
            {t("account.login.emailLink")}
          </button>
        </div>
      </Form>
      <div className="page-footnote">
        <p>
          <Trans<"account.login.newHere"> t={t} i18nKey="account.login.newHere" components={{ signup: <Link to="/signup" /> }} />
        </p>
      </div>
    </AccountFrame>
  );
}
