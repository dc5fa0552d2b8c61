import { useEffect, useState } from "react";
import { Form, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { LANGUAGE_NAMES, LANGUAGES } from "~/i18n/languages.ts";

/**
 * The language switch on every public page: each language in its own words, and a button, so it
 * works without JavaScript; with it, choosing a language sends the form at once. It posts to
 * /language, or, on a page opened by a personal link, to that page's own action (`action`, with
 * intent "language"), which stores the choice on the link's contact. JavaScript also sends the
 * browser's time zone, so dates on the person's pages and in their mail read in their own time.
 */
export function LanguageSwitch({ action = "/language" }: { action?: string }) {
  const { t, i18n } = useTranslation();
  const location = useLocation();
  const returnTo = location.pathname + location.search;
  return (
    <Form method="post" action={action} className="language-switch" preventScrollReset>
      <input type="hidden" name="intent" value="language" />
      <input type="hidden" name="returnTo" value={returnTo} />
      <BrowserTimeZone />
      <label htmlFor="language-switch">{t("common.language.label")}</label>
      <select
        id="language-switch"
        name="language"
        key={i18n.language}
        defaultValue={i18n.language}
        onChange={(event) => event.currentTarget.form?.requestSubmit()}
      >
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {LANGUAGE_NAMES[language]}
          </option>
        ))}
      </select>
      <button type="submit" className="link-button">
        {t("common.language.change")}
      </button>
    </Form>
  );
}

/**
 * A hidden `timeZone` field with the browser's IANA zone, for forms that tell us where the person
 * reads their dates (the switch, the sign-up confirmation). Only in the browser: the server renders
 * the form without it, and without JavaScript none is sent.
 */
export function BrowserTimeZone() {
  const [timeZone, setTimeZone] = useState("");
  useEffect(() => setTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone ?? ""), []);
  return timeZone ? <input type="hidden" name="timeZone" value={timeZone} /> : null;
}
