import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { groupName } from "~/domain/group/identity.server.ts";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useMatches, useRouteError } from "@remix-run/react";
import { I18nextProvider, useTranslation } from "react-i18next";
import { i18nFor } from "~/i18n/i18n.ts";
import { contactOfSession } from "~/domain/language/choice.server.ts";
import { languageOfRequest } from "~/i18n/language.server.ts";
import { DEFAULT_LANGUAGE, isLanguage, type Language } from "~/i18n/languages.ts";
import stylesheet from "~/styles/app.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Preference Center" }];

/**
 * The one name every page's header carries: the group's (ADR 044), read by useGroupName(); and the
 * language of whoever asks (ADR 047), which a page that knows its person overrides (usePageLanguage).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  // Staff pages are written in English only (ADR 047): <html lang> must say so whatever the browser asks.
  if (isStaffPath(new URL(request.url).pathname)) return { groupName: await groupName(), language: DEFAULT_LANGUAGE };
  // Someone signed in or holding a link session has their stored choice, on every page they open.
  const [name, contact] = await Promise.all([groupName(), contactOfSession(request)]);
  return { groupName: name, language: languageOfRequest(request, contact?.locale) };
}

const STAFF_AREAS = ["/admin", "/campaigns", "/contacts", "/invite"];
const isStaffPath = (path: string) => STAFF_AREAS.some((area) => path === area || path.startsWith(`${area}/`));

/** The deepest matched route's `language` (a page that knows its person returns theirs), else the root's. */
function usePageLanguage(): Language {
  const matches = useMatches();
  for (let i = matches.length - 1; i >= 0; i--) {
    const language = (matches[i].data as { language?: unknown } | undefined)?.language;
    if (isLanguage(language)) return language;
  }
  return DEFAULT_LANGUAGE;
}

export function Layout({ children }: { children: React.ReactNode }) {
  const language = usePageLanguage();
  return (
    <html lang={language}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return (
    <I18nextProvider i18n={i18nFor(usePageLanguage())}>
      <Outlet />
    </I18nextProvider>
  );
}

/** Every error a person sees says what happened and what to do next; never a stack trace. */
export function ErrorBoundary() {
  // The boundary renders outside App, so it brings its own provider.
  return (
    <I18nextProvider i18n={i18nFor(usePageLanguage())}>
      <ErrorPage />
    </I18nextProvider>
  );
}

function ErrorPage() {
  const { t } = useTranslation();
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error) ? (typeof error.data === "string" ? error.data : error.statusText) : t("common.error.ourSide");
  return (
    <main className="page">
      <h1>{status === 404 ? t("common.error.notFound") : t("common.error.failed")}</h1>
      <p>{message}</p>
      <p>
        <a href="/">{t("common.error.home")}</a>
      </p>
    </main>
  );
}
