import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { loadHistory } from "~/domain/preferences/history.server.ts";
import { requirePreferencesViewer } from "~/domain/preferences/who.server.ts";
import { formatMoment } from "~/utils/format.ts";
import preferencesStyles from "~/styles/preferences.css";
import { PrefsHeader } from "~/components/prefs-header.tsx";

// /preferences/history: the person's own consent ledger, newest first, in plain words.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: preferencesStyles }];
export const meta: MetaFunction = () => [{ title: "Your consent history" }, { name: "robots", content: "noindex" }];

const Page = z.coerce.number().int().min(1).max(100_000).catch(1);

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requirePreferencesViewer(request);
  const page = Page.parse(new URL(request.url).searchParams.get("page") ?? 1);
  const history = await loadHistory(viewer.contactId, page);
  // Only a signed-in person sees the addresses their changes came from: a link can be forwarded.
  const entries = viewer.via === "account" ? history.entries : history.entries.map((entry) => ({ ...entry, ip: null }));
  return data({ ...history, entries, via: viewer.via }, { headers: { "Cache-Control": "no-store" } });
}

export default function HistoryRoute() {
  const history = useLoaderData<typeof loader>();
  return (
    <div className="prefs">
      <PrefsHeader>
        <Link to="/preferences">Preferences</Link>
        {/* A signed-in person's account page; a link from an email opens no account. */}
        {history.via === "account" ? <Link to="/account">Account</Link> : null}
      </PrefsHeader>
      <main className="prefs-main">
        <h1>Your consent history</h1>
        <p className="lede">Every change to what we may send you, newest first: when it happened, how, and from which address.</p>
        <section className="prefs-card" aria-label="Changes">
          {history.entries.length === 0 ? (
            <p>No changes are recorded yet.</p>
          ) : (
            <ol className="history-list">
              {history.entries.map((entry) => (
                <li key={entry.id} className={entry.changed ? undefined : "unchanged"}>
                  <p>{entry.text}</p>
                  <time dateTime={new Date(entry.at).toISOString()}>{formatMoment(entry.at)} UTC</time>
                  {entry.ip ? <span className="where"> · from {entry.ip}</span> : null}
                </li>
              ))}
            </ol>
          )}
          <nav className="pager" aria-label="Pages">
            {history.page > 1 ? <Link to={`?page=${history.page - 1}`}>← Newer</Link> : <span />}
            <span>
              Page {history.page} of {history.pages}
            </span>
            {history.page < history.pages ? <Link to={`?page=${history.page + 1}`}>Older →</Link> : <span />}
          </nav>
        </section>
      </main>
    </div>
  );
}
