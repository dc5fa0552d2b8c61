import type { ReactNode } from "react";
import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { UnusableLink } from "~/domain/accounts/one-time-links.server.ts";
import { useGroupName } from "./group-name.ts";
import { LanguageSwitch } from "./language-switch.tsx";

// The frame and form pieces of the account pages (/login, /signup, /account …). Every form
// is a plain HTML form: it works without JavaScript.

/** The product's own frame for account pages; shows the signed-in person and a sign-out button. */
export function AccountFrame({ signedInAs, wide = false, children }: { signedInAs?: string | null; wide?: boolean; children: ReactNode }) {
  const groupName = useGroupName();
  const { t } = useTranslation();
  return (
    <div className="branded accounts">
      <header className="brand-bar">
        <div className="brand-inner account-bar">
          <Link to={signedInAs ? "/account" : "/"} className="brand-name">
            {groupName}
          </Link>
          {signedInAs ? (
            <nav aria-label={t("common.account")} className="account-nav">
              <span className="signed-in-as">{signedInAs}</span>
              <Form method="post" action="/logout">
                <button type="submit" className="link-button">
                  {t("common.signOut")}
                </button>
              </Form>
            </nav>
          ) : null}
          <LanguageSwitch />
        </div>
      </header>
      <main className={`card account-card${wide ? " wide" : ""}`}>{children}</main>
    </div>
  );
}

type FieldProps = {
  label: string;
  /** Needed when two forms on one page have a field of the same name. */
  id?: string;
  name: string;
  type?: "text" | "email" | "password";
  autoComplete?: string;
  defaultValue?: string;
  error?: string | null;
  /** A second line under the error, e.g. how to make a password stronger. */
  errorDetail?: string | null;
  hint?: ReactNode;
  required?: boolean;
  maxLength?: number;
};

/** A labelled input with its hint and its own error, linked for screen readers. */
export function Field({ label, id: givenId, name, type = "text", autoComplete, defaultValue, error, errorDetail, hint, required = true, maxLength }: FieldProps) {
  const id = givenId ?? `field-${name}`;
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      <input
        id={id}
        name={name}
        type={type}
        autoComplete={autoComplete}
        defaultValue={defaultValue}
        required={required}
        maxLength={maxLength}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
      />
      {error ? (
        <div id={`${id}-error`}>
          <p className="field-error">{error}</p>
          {errorDetail ? <p className="field-error">{errorDetail}</p> : null}
        </div>
      ) : null}
    </div>
  );
}

/** A message about the whole form: an error (announced at once) or a confirmation. */
export function FormMessage({ tone, children }: { tone: "error" | "success" | "info"; children: ReactNode }) {
  return (
    <div className={`form-message ${tone}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** A field for a new password: the rules as its hint, and how to make a refused one stronger under its error. */
export function NewPasswordField({ label, name, error, suggestion }: { label: string; name: string; error?: string | null; suggestion?: string | null }) {
  const { t } = useTranslation();
  return <Field label={label} name={name} type="password" autoComplete="new-password" hint={t("account.newPasswordHint")} error={error} errorDetail={suggestion} />;
}

/** Why an emailed account link cannot be used. */
export type LinkProblem = UnusableLink;

/** The page for an emailed account link that cannot be used, and the way to a fresh one. */
export function AccountLinkProblem({ reason, next }: { reason: LinkProblem; next: { to: string; label: string } }) {
  const { t } = useTranslation();
  return (
    <AccountFrame>
      <h1>{t("common.badLink.title")}</h1>
      <p className="lede">{t(`account.linkProblem.${reason}`)}</p>
      <p>
        <Link to={next.to} className="button">
          {next.label}
        </Link>
      </p>
    </AccountFrame>
  );
}
