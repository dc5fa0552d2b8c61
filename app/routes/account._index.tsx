import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { contactLanguage } from "~/domain/language/choice.server.ts";
import { tFor } from "~/i18n/i18n.ts";
import { languageOfRequest } from "~/i18n/language.server.ts";
import type { ReactNode } from "react";
import { z } from "zod";
import {
  changePassword,
  deleteAccount,
  loadAccount,
  requestEmailChange,
  signOutEverywhere,
  updateName,
} from "~/domain/accounts/account.server.ts";
import { CurrentPasswordSchema, NameSchema, NewPasswordSchema, UNREADABLE_FORM } from "~/domain/accounts/fields.ts";
import { clearSessionCookie } from "~/domain/accounts/sessions.server.ts";
import { requireUser } from "~/utils/permissions.server.ts";
import { whyNoAccountMail } from "~/domain/accounts/account-mail.server.ts";
import { EmailSchema } from "~/domain/consent/email.ts";
import { AccountFrame, Field, FormMessage, NewPasswordField } from "~/components/account-ui.tsx";
import { formatMomentFor } from "~/utils/format.ts";
import { inMinutes } from "~/utils/forms.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";

// /account: the signed-in person's name and address, password, data export, "sign out
// everywhere" and account deletion. Each form posts its own intent; only that part changes.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountsStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: tFor(data?.language ?? "en")("account.page.title") }];
export const headers = passThroughHeaders;

const NOTICES = ["welcome", "passwordReset", "emailChanged"] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const account = await loadAccount(user.id);
  const params = new URL(request.url).searchParams;
  const notice = NOTICES.find((key) => params.has(key)) ?? null;
  const contact = account.contactId ? await contactLanguage(account.contactId) : null;
  const language = languageOfRequest(request, contact?.locale);
  return data({ account, notice, language, timeZone: contact?.timeZone ?? null }, { headers: { "Cache-Control": "no-store" } });
}

const AccountRequest = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("profile"), name: NameSchema }),
  z.object({ intent: z.literal("email"), newEmail: EmailSchema, currentPassword: CurrentPasswordSchema }),
  z.object({ intent: z.literal("password"), currentPassword: CurrentPasswordSchema, newPassword: NewPasswordSchema }),
  z.object({ intent: z.literal("sign-out-everywhere") }),
  z.object({ intent: z.literal("delete"), password: CurrentPasswordSchema }),
]);

type Intent = z.infer<typeof AccountRequest>["intent"];
const INTENTS: readonly string[] = AccountRequest.options.map((option) => option.shape.intent.value);

type Outcome = {
  intent: Intent | null;
  errors?: Record<string, string>;
  suggestion?: string | null;
  formError?: string;
  done?: string;
  values?: Record<string, string>;
};

const WRONG_PASSWORD = "That password is not right.";

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = await parseForm(request, AccountRequest);
  if (!parsed.ok) {
    // The errors go to the section that posted; a form of no known section gets them above all sections.
    const intent = INTENTS.includes(parsed.values.intent) ? (parsed.values.intent as Intent) : null;
    const values = { name: parsed.values.name, newEmail: parsed.values.newEmail };
    return data<Outcome>({ intent, errors: parsed.errors, values, formError: intent ? undefined : UNREADABLE_FORM }, { status: parsed.status });
  }
  const input = parsed.value;
  const requester = requesterOf(request, context);
  const throttledAnswer = (retryAfterSeconds: number) =>
    data<Outcome>(
      { intent: input.intent, formError: `Too many password attempts. Please try again ${inMinutes(retryAfterSeconds)}.` },
      { status: 429, headers: { "Retry-After": String(retryAfterSeconds) } },
    );

  switch (input.intent) {
    case "profile":
      await updateName(user.id, input.name);
      return data<Outcome>({ intent: "profile", done: "Your name was saved." });
    case "email": {
      const result = await requestEmailChange(user.id, input, requester);
      if (result.outcome === "sent") {
        return data<Outcome>({
          intent: "email",
          done: `We sent a link to ${result.newEmail}. Your address changes when you open it. We also told your current address about this.`,
        });
      }
      if (result.outcome === "throttled") return throttledAnswer(result.retryAfterSeconds);
      if (result.outcome === "cannot-mail") {
        return data<Outcome>(
          { intent: "email", errors: { newEmail: whyNoAccountMail(result.reason, input.newEmail) }, values: { newEmail: input.newEmail } },
          { status: result.reason === "no-sender" ? 503 : 400 },
        );
      }
      const errors: Record<string, string> =
        result.outcome === "same-address" ? { newEmail: "That is already your email address." } : { currentPassword: WRONG_PASSWORD };
      return data<Outcome>({ intent: "email", errors, values: { newEmail: input.newEmail } }, { status: result.outcome === "same-address" ? 400 : 401 });
    }
    case "password": {
      const result = await changePassword(user.id, user.sessionId, input, requester);
      if (result.outcome === "changed") {
        return data<Outcome>({ intent: "password", done: "Your password was changed. Your other devices were signed out." });
      }
      if (result.outcome === "throttled") return throttledAnswer(result.retryAfterSeconds);
      if (result.outcome === "wrong-password") return data<Outcome>({ intent: "password", errors: { currentPassword: WRONG_PASSWORD } }, { status: 401 });
      return data<Outcome>({ intent: "password", errors: { newPassword: result.message }, suggestion: result.suggestion }, { status: 400 });
    }
    case "sign-out-everywhere":
      await signOutEverywhere(user.id);
      return redirect("/login?signedOut=everywhere", { headers: { "Set-Cookie": await clearSessionCookie() } });
    case "delete": {
      const result = await deleteAccount(user.id, input.password, requester);
      if (result.outcome === "deleted") return redirect("/account/deleted", { headers: { "Set-Cookie": await clearSessionCookie() } });
      if (result.outcome === "throttled") return throttledAnswer(result.retryAfterSeconds);
      return data<Outcome>({ intent: "delete", errors: { password: WRONG_PASSWORD } }, { status: 401 });
    }
  }
}

export default function AccountRoute() {
  const { account, notice, language, timeZone } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() as Outcome | undefined;
  const about = (intent: Intent) => (outcome?.intent === intent ? outcome : undefined);
  const { t } = useTranslation();
  return (
    <AccountFrame signedInAs={account.name ?? account.email} wide>
      <h1>{t("account.page.heading")}</h1>
      <p className="lede">
        {t("account.page.lede")}{" "}
        {account.contactId ? (
          <>
            <Link to="/preferences">{t("account.page.managePreferences")}</Link> · <Link to="/preferences/history">{t("account.page.seeHistory")}</Link>
          </>
        ) : null}
      </p>
      {notice ? <FormMessage tone="success">{t(`account.page.notice.${notice}`)}</FormMessage> : null}
      {outcome && !outcome.intent && outcome.formError ? <FormMessage tone="error">{outcome.formError}</FormMessage> : null}

      <section className="account-section" aria-labelledby="profile-heading">
        <h2 id="profile-heading">{t("account.page.profile")}</h2>
        <dl className="account-facts">
          <dt>{t("common.emailAddress")}</dt>
          <dd>{account.email}</dd>
          <dt>{t("account.page.signedIn")}</dt>
          <dd>
            {t("account.page.devices", { count: account.liveSessions })}
            {account.lastSignInAt
              ? t("account.page.lastSignIn", { moment: formatMomentFor(account.lastSignInAt, { language, timeZone }), zone: timeZone ?? "UTC" })
              : ""}
          </dd>
        </dl>
        <SectionForm intent="profile" outcome={about("profile")} submit={t("account.page.saveName")}>
          <Field label={t("account.signup.name")} name="name" autoComplete="name" defaultValue={about("profile")?.values?.name ?? account.name ?? ""} error={about("profile")?.errors?.name} maxLength={100} />
        </SectionForm>
      </section>

      <section className="account-section" aria-labelledby="email-heading">
        <h2 id="email-heading">{t("common.emailAddress")}</h2>
        <p>{t("account.page.emailHint")}</p>
        {account.pendingEmail ? (
          <FormMessage tone="info">
            <Trans<"account.page.pending"> t={t} i18nKey="account.page.pending" values={{ email: account.pendingEmail }} components={{ strong: <strong /> }} />
          </FormMessage>
        ) : null}
        <SectionForm intent="email" outcome={about("email")} submit={t("account.page.changeEmail")}>
          <Field label={t("account.page.newEmail")} name="newEmail" type="email" autoComplete="email" defaultValue={about("email")?.values?.newEmail} error={about("email")?.errors?.newEmail} maxLength={254} />
          <Field label={t("account.page.yourPassword")} id="email-current-password" name="currentPassword" type="password" autoComplete="current-password" error={about("email")?.errors?.currentPassword} />
        </SectionForm>
      </section>

      <section className="account-section" aria-labelledby="password-heading">
        <h2 id="password-heading">{t("account.password")}</h2>
        <SectionForm intent="password" outcome={about("password")} submit={t("account.page.changePassword")}>
          <input type="text" value={account.email} autoComplete="username" readOnly hidden />
          <Field label={t("account.page.currentPassword")} id="password-current-password" name="currentPassword" type="password" autoComplete="current-password" error={about("password")?.errors?.currentPassword} />
          <NewPasswordField label={t("account.reset.newPassword")} name="newPassword" error={about("password")?.errors?.newPassword} suggestion={about("password")?.suggestion} />
        </SectionForm>
      </section>

      <section className="account-section" aria-labelledby="data-heading">
        <h2 id="data-heading">{t("account.page.data")}</h2>
        <p>{t("account.page.dataText")}</p>
        <p>
          <a href="/account/data" className="button secondary" download>
            {t("account.page.download")}
          </a>
        </p>
      </section>

      <section className="account-section" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">{t("account.page.signOutEverywhere")}</h2>
        <p>{t("account.page.signOutEverywhereText")}</p>
        <Form method="post">
          <input type="hidden" name="intent" value="sign-out-everywhere" />
          <button type="submit" className="button secondary">
            {t("account.page.signOutEverywhere")}
          </button>
        </Form>
      </section>

      <section className="account-section danger-zone" aria-labelledby="delete-heading">
        <h2 id="delete-heading">{t("account.page.delete")}</h2>
        <p>{t("account.page.deleteText")}</p>
        <SectionForm intent="delete" outcome={about("delete")} submit={t("account.page.delete")} danger>
          <Field label={t("account.page.deleteConfirm")} id="delete-password" name="password" type="password" autoComplete="current-password" error={about("delete")?.errors?.password} />
        </SectionForm>
      </section>
    </AccountFrame>
  );
}

/** A section's form: it posts its intent, and shows that intent's outcome above its button. */
function SectionForm({ intent, outcome, submit, danger = false, children }: { intent: Intent; outcome?: Outcome; submit: string; danger?: boolean; children: ReactNode }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      {children}
      {outcome?.done ? <FormMessage tone="success">{outcome.done}</FormMessage> : null}
      {outcome && !outcome.done && outcome.formError ? <FormMessage tone="error">{outcome.formError}</FormMessage> : null}
      <div className="form-actions">
        <button type="submit" className={danger ? "button danger" : "button secondary"}>
          {submit}
        </button>
      </div>
    </Form>
  );
}
