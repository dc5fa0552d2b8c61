import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { useId } from "react";
import { z } from "zod";
import { ConsentError } from "~/domain/consent/changes.server.ts";
import { maskEmail } from "~/domain/consent/email.ts";
import type { Channel } from "~/domain/consent/channels.ts";
import { controlName, OUT_OF_DATE_PAGE, PreferencesSaveForm, shownMarker, SHARING_PURPOSES } from "~/domain/preferences/controls.ts";
import {
  loadPreferenceCenter,
  PreferencesInputError,
  savePreferences,
  setFrequency,
  setPause,
  type PreferenceCenter,
} from "~/domain/preferences/preference-center.server.ts";
import { requirePreferencesViewer } from "~/domain/preferences/who.server.ts";
import { CHANNEL_LABEL } from "~/domain/consent/channels.ts";
import { formatDay } from "~/utils/format.ts";
import { FrequencyControl } from "~/components/frequency-control.tsx";
import { FREQUENCY_OPTIONS } from "~/domain/consent/frequency.ts";
import { requesterOf } from "~/utils/request.server.ts";
import preferencesStyles from "~/styles/preferences.css";
import { parseForm } from "~/utils/parse-form.server.ts";
import { PrefsHeader } from "~/components/prefs-header.tsx";

// /preferences: everything the company may send one person, per unit, topic and channel.
// Works as plain forms without JavaScript; with JavaScript each toggle saves as it changes.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: preferencesStyles }];
export const meta: MetaFunction = () => [{ title: "Your email preferences" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requirePreferencesViewer(request);
  const show = new URL(request.url).searchParams.getAll("show");
  const center = await loadPreferenceCenter(viewer.contactId, { alsoShow: show });
  // A link can be forwarded: a page opened from one shows the address masked, as /u does.
  const address = viewer.via === "link" ? maskEmail(center.contact.email) : center.contact.email;
  return data({ center: { ...center, contact: { ...center.contact, email: address } }, via: viewer.via }, { headers: { "Cache-Control": "no-store" } });
}

const PageAction = z.discriminatedUnion("intent", [
  PreferencesSaveForm,
  z.object({ intent: z.literal("pause"), unit: z.coerce.number().int().positive(), days: z.enum(["30", "90"]) }),
  z.object({ intent: z.literal("resume"), unit: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("frequency"), unit: z.coerce.number().int().positive(), frequency: z.enum(FREQUENCY_OPTIONS) }),
]);

type Outcome = { saved: number; changedElsewhere: string[] } | { paused: true } | { error: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requirePreferencesViewer(request);
  const parsed = await parseForm(request, PageAction);
  if (!parsed.ok) {
    // A page out of date gets its own words; anything else this page never posts, the general ones.
    const error = parsed.errors.shown === OUT_OF_DATE_PAGE ? OUT_OF_DATE_PAGE : "That request was not understood. Please reload the page and try again.";
    return data<Outcome>({ error }, { status: parsed.status });
  }
  const requester = requesterOf(request, context);
  const consentContext = { ...viewer.ledger, ...requester };
  try {
    const input = parsed.value;
    if (input.intent === "save") {
      const { changed, changedElsewhere } = await savePreferences(viewer.contactId, input, consentContext);
      return data<Outcome>({ saved: changed, changedElsewhere });
    }
    if (input.intent === "frequency") {
      const [result] = await setFrequency(viewer.contactId, input.unit, input.frequency, consentContext);
      return data<Outcome>({ saved: result.changed ? 1 : 0, changedElsewhere: [] });
    }
    await setPause(viewer.contactId, input.unit, input.intent === "resume" ? 0 : input.days === "30" ? 30 : 90, consentContext);
    return data<Outcome>({ paused: true });
  } catch (error) {
    if (error instanceof PreferencesInputError || error instanceof ConsentError) return data<Outcome>({ error: error.message }, { status: 400 });
    throw error;
  }
}

export default function PreferencesRoute() {
  const { center, via } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const navigation = useNavigation();
  const shownUnits = center.units.filter((u) => u.shown);
  const otherUnits = center.units.filter((u) => !u.shown);
  return (
    <div className="prefs">
      <PrefsHeader>
        <Link to="/preferences/history">History</Link>
        {via === "account" ? <Link to="/account">Account</Link> : null}
        <Form method="post" action="/logout">
          <button type="submit" className="link-button">Sign out</button>
        </Form>
      </PrefsHeader>
      <main className="prefs-main">
        <h1>What we may send you</h1>
        <p className="lede">
          For <strong>{center.contact.email}</strong>. Choose per brand, per topic and per channel. Changes apply at once.
        </p>
        {via === "link" ? (
          <p className="notice">You opened this page from a link in one of our emails, so it stays open for one hour only.</p>
        ) : null}
        {outcome && "error" in outcome ? (
          <p className="error" role="alert">
            {outcome.error}
          </p>
        ) : null}
        {outcome && "saved" in outcome && navigation.state === "idle" ? (
          <p className="saved" role="status">
            {outcome.saved > 0 ? "Your preferences are saved." : "Nothing needed to change."}
          </p>
        ) : null}
        {outcome && "changedElsewhere" in outcome && outcome.changedElsewhere.length > 0 && navigation.state === "idle" ? (
          <div className="notice" role="status">
            <p>
              These choices were changed since this page was opened (from a link in one of our emails, or another window). The newer
              choice stands, and the page now shows it:
            </p>
            <ul>
              {outcome.changedElsewhere.map((text) => (
                <li key={text}>{text}</li>
              ))}
            </ul>
          </div>
        ) : null}

        {shownUnits.map((unit) => (
          <UnitCard key={unit.id} unit={unit} />
        ))}
        {otherUnits.length > 0 ? (
          <section className="prefs-card other-units" aria-labelledby="other-units">
            <h2 id="other-units">Brands you don&apos;t hear from yet</h2>
            <p>You have no subscriptions with these brands. Open one to choose what it may send you.</p>
            <ul>
              {otherUnits.map((unit) => (
                <li key={unit.id}>
                  <Link to={`?show=${unit.slug}${shownUnits.filter((u) => !u.related).map((u) => `&show=${u.slug}`).join("")}`}>{unit.displayName}</Link>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <EverywhereCard center={center} />
        <SharingCard center={center} />
      </main>
    </div>
  );
}

type Unit = PreferenceCenter["units"][number];

/**
 * A checkbox that is also a complete form of its own when JavaScript runs: it saves on change.
 * It posts the state it was drawn in beside its value, so a save changes only what the person changed.
 */
function Toggle({ name, checked, label, hint, className }: { name: string; checked: boolean; label: string; hint?: string; className?: string }) {
  const fetcher = useFetcher<typeof action>();
  const id = useId();
  const saving = fetcher.state !== "idle";
  return (
    <label className={className ? `toggle ${className}` : "toggle"} htmlFor={id}>
      <input type="hidden" name="shown" value={shownMarker(name, checked)} />
      <input
        // Drawn anew when the stored state changes, so a box never keeps a state the page no longer shows.
        key={String(checked)}
        id={id}
        type="checkbox"
        name={name}
        defaultChecked={checked}
        onChange={(event) => {
          const form = new FormData();
          form.set("intent", "save");
          form.set("shown", shownMarker(name, !event.currentTarget.checked));
          if (event.currentTarget.checked) form.set(name, "on");
          fetcher.submit(form, { method: "post" });
        }}
      />
      <span>
        {label}
        {hint ? <small>{hint}</small> : null}
      </span>
      <span className="toggle-status" aria-live="polite">
        {saving ? "Saving…" : fetcher.data && "saved" in fetcher.data ? "Saved" : fetcher.data && "error" in fetcher.data ? fetcher.data.error : ""}
      </span>
    </label>
  );
}

function UnitCard({ unit }: { unit: Unit }) {
  const headingId = `unit-${unit.slug}`;
  return (
    <section className="prefs-card" style={{ "--brand": /^#[0-9a-f]{6}$/i.test(unit.brandColor) ? unit.brandColor : undefined } as React.CSSProperties} aria-labelledby={headingId}>
      <h2 id={headingId}>{unit.displayName}</h2>
      {unit.pausedUntil ? <p className="notice">Promotional email from {unit.displayName} is paused until {formatDay(unit.pausedUntil)}.</p> : null}
      <Form method="post" className="topics">
        <input type="hidden" name="intent" value="save" />
        {unit.topics.map((topic) => (
          <fieldset key={topic.id} className="topic">
            <legend>
              {topic.name}
              {topic.description ? <small>{topic.description}</small> : null}
            </legend>
            <div className="channels">
              {topic.channels.map(({ channel, subscribed }) => (
                <Toggle
                  key={channel}
                  className={`ch-${channel}`}
                  name={controlName.topic(topic.id, channel)}
                  checked={subscribed}
                  label={CHANNEL_LABEL[channel]}
                />
              ))}
            </div>
          </fieldset>
        ))}
        <div className="unit-wide">
          <Toggle
            name={controlName.unitOptOut(unit.id, "EMAIL")}
            checked={unit.optedOut.EMAIL}
            label={`Unsubscribe from all ${unit.displayName} promotional email`}
            hint="Overrides the topics above until you turn it off again; they are kept as you left them."
          />
        </div>
        <button type="submit" className="button">Save {unit.displayName} preferences</button>
      </Form>
      <Form method="post" className="pause">
        <input type="hidden" name="unit" value={unit.id} />
        {unit.pausedUntil ? (
          <button type="submit" name="intent" value="resume" className="button secondary">
            Resume {unit.displayName} email now
          </button>
        ) : (
          <>
            <span>Need a break?</span>
            <input type="hidden" name="intent" value="pause" />
            <button type="submit" name="days" value="30" className="button secondary">Pause for 30 days</button>
            <button type="submit" name="days" value="90" className="button secondary">Pause for 90 days</button>
          </>
        )}
      </Form>
      <FrequencyControl unit={unit} />
      {unit.exemptCategories.length > 0 ? (
        <details className="service">
          <summary>Service messages from {unit.displayName} that you always receive</summary>
          <ul>
            {unit.exemptCategories.map((category) => (
              <li key={category.name}>
                <strong>{category.name}.</strong> {category.reason}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

const EVERYWHERE_LABEL: Record<Channel, string> = {
  EMAIL: "No promotional email from any of our brands",
  POSTAL: "No promotional post from any of our brands",
  PHONE: "No promotional phone calls from any of our brands",
};

function EverywhereCard({ center }: { center: PreferenceCenter }) {
  return (
    <section className="prefs-card" aria-labelledby="everywhere">
      <h2 id="everywhere">All our brands</h2>
      <Form method="post">
        <input type="hidden" name="intent" value="save" />
        {(Object.keys(EVERYWHERE_LABEL) as Channel[]).map((channel) => (
          <Toggle key={channel} name={controlName.everywhere(channel)} checked={center.optedOutEverywhere[channel]} label={EVERYWHERE_LABEL[channel]} />
        ))}
        <button type="submit" className="button">Save</button>
      </Form>
    </section>
  );
}

const SHARING_LABEL = {
  GROUP_COMPANIES: "Other companies of our group may send me their offers",
  THIRD_PARTY_OFFERS: "Send me offers from carefully selected third parties",
} as const;

function SharingCard({ center }: { center: PreferenceCenter }) {
  return (
    <section className="prefs-card" aria-labelledby="sharing">
      <h2 id="sharing">Sharing your details</h2>
      <p>We never share your details for marketing unless you turn it on here.</p>
      <Form method="post">
        <input type="hidden" name="intent" value="save" />
        {SHARING_PURPOSES.map((purpose) => (
          <Toggle
            key={purpose}
            name={controlName.sharing(purpose)}
            checked={center.sharing[purpose]}
            label={SHARING_LABEL[purpose]}
            hint={center.consentTexts[purpose] ?? undefined}
          />
        ))}
        <button type="submit" className="button">Save</button>
      </Form>
    </section>
  );
}
