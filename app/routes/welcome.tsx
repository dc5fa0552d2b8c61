import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ConsentError } from "~/domain/consent/changes.server.ts";
import { CHANNEL_LABEL } from "~/domain/consent/channels.ts";
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
export const meta: MetaFunction = () => [{ title: "Choose what you'd like" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requirePreferencesViewer(request);
  const center = await loadPreferenceCenter(viewer.contactId);
  const units = center.units.filter((unit) => unit.topics.length > 0).map(({ id, slug, displayName, topics }) => ({ id, slug, displayName, topics }));
  return data({ units, consentText: center.consentTexts.topics }, { headers: { "Cache-Control": "no-store" } });
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
  return (
    <div className="prefs">
      <PrefsHeader />
      <main className="prefs-main">
        <h1>Choose what you&apos;d like</h1>
        <p className="lede">Your account is ready. Tick what you would like to hear about, from any of our brands. You can change it at any time.</p>
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
                            <span>{CHANNEL_LABEL[channel]}</span>
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
              Save my choices
            </button>{" "}
            <Link to="/account?welcome=1">Skip for now</Link>
          </div>
        </Form>
      </main>
    </div>
  );
}
