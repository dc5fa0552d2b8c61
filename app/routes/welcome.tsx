import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { contactLanguage } from "~/domain/language/choice.server.ts";
import { tFor } from "~/i18n/i18n.ts";
import { languageOfRequest } from "~/i18n/language.server.ts";
import { ConsentError } from "~/domain/consent/changes.server.ts";
import { controlName, OUT_OF_DATE_PAGE, PreferencesSaveForm, shownMarker } from "~/domain/preferences/controls.ts";
import { loadPreferenceCenter, PreferencesInputError, savePreferences } from "~/domain/preferences/preference-center.server.ts";
import { requirePreferencesViewer } from "~/domain/preferences/who.server.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import preferencesStyles from "~/styles/preferences.css";
import { PrefsHeader } from "~/components/prefs-header.tsx";

// /welcome: first steps after a sign-up is confirmed. Every brand's topics on every channel
// they offer, none ticked for the person: what they tick is saved exactly as /preferences saves
// it (savePreferences: the consent core, source PREFERENCE_CENTER, express consent under the
// current consent text). Skipping saves nothing.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: preferencesStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: tFor(data?.language ?? "en")("pages.welcome.title") }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requirePreferencesViewer(request);
  const [center, contact] = await Promise.all([loadPreferenceCenter(viewer.contactId), contactLanguage(viewer.contactId)]);
  const units = center.units.filter((unit) => unit.topics.length > 0).map(({ id, slug, displayName, topics }) => ({ id, slug, displayName, topics }));
  return data({ units, consentText: center.consentTexts.topics, language: languageOfRequest(request, contact?.locale) }, { headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requirePreferencesViewer(request);
  const parsed = await parseForm(request, PreferencesSaveForm);
  if (!parsed.ok) {
    const error = parsed.errors.shown === OUT_OF_DATE_PAGE ? OUT_OF_DATE_PAGE : "That request was not understood. Please reload the page and try again.";
    return data({ error }, { status: parsed.status });
  }
  try {
    await savePreferences(viewer.contactId, parsed.value, { ...viewer.ledger, ...requesterOf(request, context) });
  } catch (error) {
    if (error instanceof PreferencesInputError || error instanceof ConsentError) return data({ error: error.message }, { status: 400 });
    throw error;
  }
  // After a post, a redirect: refreshing the next page never saves again.
  return redirect("/preferences");
}

export default function WelcomeRoute() {
  const { units, consentText } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="prefs">
      <PrefsHeader />
      <main className="prefs-main">
        <h1>{t("pages.welcome.heading")}</h1>
        <p className="lede">{t("pages.welcome.lede")}</p>
        {outcome ? (
          <p className="error" role="alert">
            {outcome.error}
          </p>
        ) : null}
        <Form method="post">
          <input type="hidden" name="intent" value="save" />
          {units.map((unit) => (
            <section key={unit.id} className="prefs-card" aria-labelledby={`first-${unit.slug}`}>
              <h2 id={`first-${unit.slug}`}>{unit.displayName}</h2>
              <div className="topics">
                {unit.topics.map((topic) => (
                  <fieldset key={topic.id} className="topic">
                    <legend>
                      {topic.name}
                      {topic.description ? <small>{topic.description}</small> : null}
                    </legend>
                    <div className="channels">
                      {topic.channels.map(({ channel, subscribed }) => {
                        const name = controlName.topic(topic.id, channel);
                        const id = `first-${topic.id}-${channel}`;
                        return (
                          <label key={channel} className={`toggle ch-${channel}`} htmlFor={id}>
                            <input type="hidden" name="shown" value={shownMarker(name, subscribed)} />
                            <input id={id} type="checkbox" name={name} defaultChecked={subscribed} />
                            <span>{t(`pages.channel.${channel}`)}</span>
                          </label>
                        );
                      })}
                    </div>
                  </fieldset>
                ))}
              </div>
            </section>
          ))}
          {consentText ? <p className="consent-text">{consentText}</p> : null}
          <div className="first-steps-actions">
            <button type="submit" className="button">
              {t("pages.welcome.save")}
            </button>{" "}
            <Link to="/account?welcome=1">{t("pages.welcome.skip")}</Link>
          </div>
        </Form>
      </main>
    </div>
  );
}
