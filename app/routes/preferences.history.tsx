import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { contactLanguage } from "~/domain/language/choice.server.ts";
import { tFor } from "~/i18n/i18n.ts";
import { languageOfRequest } from "~/i18n/language.server.ts";
import { z } from "zod";
import { loadHistory } from "~/domain/preferences/history.server.ts";
import { requirePreferencesViewer } from "~/domain/preferences/who.server.ts";
import { formatMomentFor } from "~/utils/format.ts";
import preferencesStyles from "~/styles/preferences.css";
import { PrefsHeader } from "~/components/prefs-header.tsx";

// /preferences/history: the person's own consent ledger, newest first, in plain words.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: preferencesStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: tFor(data?.language ?? "en")("pages.history.heading") }, { name: "robots", content: "noindex" }];

const Page = z.coerce.number().int().min(1).max(100_000).catch(1);

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requirePreferencesViewer(request);
  const page = Page.parse(new URL(request.url).searchParams.get("page") ?? 1);
  const contact = await contactLanguage(viewer.contactId);
  const language = languageOfRequest(request, contact?.locale);
  const history = await loadHistory(viewer.contactId, page, { language, timeZone: contact?.timeZone ?? null });
  // Only a signed-in person sees the addresses their changes came from: a link can be forwarded.
  const entries = viewer.via === "account" ? history.entries : history.entries.map((entry) => ({ ...entry, ip: null }));
  return data({ ...history, entries, via: viewer.via, language, timeZone: contact?.timeZone ?? null }, { headers: { "Cache-Control": "no-store" } });
}

export default function HistoryRoute() {
  const history = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const reader = { language: history.language, timeZone: history.timeZone };
  return (
    <div className="prefs">
      <PrefsHeader>
        <Link to="/preferences">{t("common.preferences")}</Link>
        {/* A signed-in person's account page; a link from an email opens no account. */}
        {history.via === "account" ? <Link to="/account">{t("common.account")}</Link> : null}
      </PrefsHeader>
      <main className="prefs-main">
        <h1>{t("pages.history.heading")}</h1>
        <p className="lede">{t("pages.history.lede")}</p>
        <section className="prefs-card" aria-label={t("pages.history.changes")}>
          {history.entries.length === 0 ? (
            <p>{t("pages.history.none")}</p>
          ) : (
            <ol className="history-list">
              {history.entries.map((entry) => (
                <li key={entry.id} className={entry.changed ? undefined : "unchanged"}>
                  <p>{entry.text}</p>
                  <time dateTime={new Date(entry.at).toISOString()}>
                    {formatMomentFor(entry.at, reader)} {history.timeZone ?? "UTC"}
                  </time>
                  {entry.ip ? <span className="where"> · {t("pages.history.from", { ip: entry.ip })}</span> : null}
                </li>
              ))}
            </ol>
          )}
          <nav className="pager" aria-label={t("pages.history.pages")}>
            {history.page > 1 ? <Link to={`?page=${history.page - 1}`}>{t("pages.history.newer")}</Link> : <span />}
            <span>{t("pages.history.page", { page: history.page, pages: history.pages })}</span>
            {history.page < history.pages ? <Link to={`?page=${history.page + 1}`}>{t("pages.history.older")}</Link> : <span />}
          </nav>
        </section>
      </main>
    </div>
  );
}
