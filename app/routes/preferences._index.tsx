import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation, type FetcherWithComponents } from "@remix-run/react";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ConsentError } from "~/domain/consent/changes.server.ts";
import { maskEmail } from "~/domain/consent/email.ts";
import { CHANNELS, type Channel } from "~/domain/consent/channels.ts";
import { controlName, OUT_OF_DATE_PAGE, PreferencesSaveForm, shownMarker, SHARING_PURPOSES } from "~/domain/preferences/controls.ts";
import { overrideOf, type Override } from "~/domain/preferences/overrides.ts";
import {
  loadPreferenceCenter,
  PreferencesInputError,
  savePreferences,
  setFrequency,
  setPause,
  type MovedControl,
  type PreferenceCenter,
} from "~/domain/preferences/preference-center.server.ts";
import { requirePreferencesViewer } from "~/domain/preferences/who.server.ts";
import { FREQUENCY_OPTIONS, type FrequencyOption } from "~/domain/consent/frequency.ts";
import { languageOfRequest } from "~/i18n/language.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { redirectWithFlash, takeFlash } from "~/utils/flash.server.ts";
import { useHydrated } from "~/utils/use-hydrated.ts";
import { formatDayFor } from "~/utils/format.ts";
import preferencesStyles from "~/styles/preferences.css";
import { parseForm } from "~/utils/parse-form.server.ts";
import { PrefsHeader } from "~/components/prefs-header.tsx";

// /preferences: everything the company may send one person, per unit, topic and channel.
// One save model (ADR 050). With JavaScript every control saves itself as it changes and offers
// "Saved · Undo"; the Save buttons are not drawn. Without it the cards are plain forms with Save
// buttons, and every successful post answers with a redirect to the page (a refresh never posts
// again), the outcome carried in a one-read cookie.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: preferencesStyles }];
export const meta: MetaFunction = () => [{ title: "Your email preferences" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requirePreferencesViewer(request);
  const show = new URL(request.url).searchParams.getAll("show");
  const [center, flash] = await Promise.all([loadPreferenceCenter(viewer.contactId, { alsoShow: show }), takeFlash<Outcome>(request)]);
  // A link can be forwarded: a page opened from one shows the address masked, as /u does.
  const address = viewer.via === "link" ? maskEmail(center.contact.email) : center.contact.email;
  return data(
    {
      center: { ...center, contact: { ...center.contact, email: address } },
      via: viewer.via,
      outcome: flash.outcome,
      language: languageOfRequest(request, center.contact.locale),
    },
    { headers: { "Cache-Control": "no-store", ...flash.headers } },
  );
}

/** Set by the page's JavaScript on every post it makes: the answer is then data for the page, not a redirect. */
const WITH_SCRIPT = "withScript";

const PageAction = z.discriminatedUnion("intent", [
  PreferencesSaveForm,
  z.object({ intent: z.literal("pause"), unit: z.coerce.number().int().positive(), days: z.enum(["30", "90"]) }),
  z.object({ intent: z.literal("resume"), unit: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("frequency"), unit: z.coerce.number().int().positive(), frequency: z.enum(FREQUENCY_OPTIONS) }),
]);

type Outcome = { saved: number; changedElsewhere: MovedControl[] } | { paused: true } | { error: "outOfDate" | "notUnderstood" } | { error: "other"; message: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requirePreferencesViewer(request);
  const parsed = await parseForm(request, PageAction);
  if (!parsed.ok) {
    // A page out of date gets its own words; anything else this page never posts, the general ones.
    return data<Outcome>({ error: parsed.errors.shown === OUT_OF_DATE_PAGE ? "outOfDate" : "notUnderstood" }, { status: parsed.status });
  }
  const requester = requesterOf(request, context);
  const consentContext = { ...viewer.ledger, ...requester };
  let outcome: Outcome;
  try {
    const input = parsed.value;
    if (input.intent === "save") {
      const { changed, changedElsewhere } = await savePreferences(viewer.contactId, input, consentContext);
      outcome = { saved: changed, changedElsewhere };
    } else if (input.intent === "frequency") {
      const [result] = await setFrequency(viewer.contactId, input.unit, input.frequency, consentContext);
      outcome = { saved: result.changed ? 1 : 0, changedElsewhere: [] };
    } else {
      await setPause(viewer.contactId, input.unit, input.intent === "resume" ? 0 : input.days === "30" ? 30 : 90, consentContext);
      outcome = { paused: true };
    }
  } catch (error) {
    // Bad input is answered in place with a 400: posting it again changes nothing.
    if (error instanceof PreferencesInputError || error instanceof ConsentError) return data<Outcome>({ error: "other", message: error.message }, { status: 400 });
    throw error;
  }
  if (parsed.form.get(WITH_SCRIPT) === "1") return data<Outcome>(outcome);
  // A plain form's post: back to the page as it was addressed (keeping ?show=), never to the post itself.
  const page = new URL(request.url);
  page.searchParams.delete("index");
  return redirectWithFlash(`${page.pathname}${page.search}`, outcome);
}

/** The hidden field that tells the action this post came from the page's JavaScript. */
function ScriptMarker() {
  return useHydrated() ? <input type="hidden" name={WITH_SCRIPT} value="1" /> : null;
}

function useOutcomeWords() {
  const { t } = useTranslation();
  const state = (on: boolean) => (on ? t("preferences.nowOn") : t("preferences.nowOff"));
  const channel = (c: Channel) => t(`preferences.channelInSentence.${c}`);
  return {
    error: (outcome: Extract<Outcome, { error: string }>) => (outcome.error === "other" ? outcome.message : t(`preferences.${outcome.error}`)),
    moved: (moved: MovedControl) => {
      switch (moved.kind) {
        case "topic":
          return t("preferences.movedTopic", { topic: moved.topic, unit: moved.unit, channel: channel(moved.channel), state: state(moved.on) });
        case "unit-optout":
          return t("preferences.movedUnit", { unit: moved.unit, channel: channel(moved.channel), state: state(moved.on) });
        case "everywhere-optout":
          return t("preferences.movedEverywhere", { channel: channel(moved.channel), state: state(moved.on) });
        case "sharing":
          return t(`preferences.sharing.moved_${moved.purpose}`, { state: state(moved.on) });
      }
    },
  };
}

/** A day in the person's language and time zone: "3 January 2027", "3. Januar 2027". */
function useDay() {
  const { i18n } = useTranslation();
  const { center } = useLoaderData<typeof loader>();
  return (value: Date | string) => formatDayFor(value, { language: i18n.language, timeZone: center.contact.timeZone });
}

export default function PreferencesRoute() {
  const { center, via, outcome: redirected } = useLoaderData<typeof loader>();
  const posted = useActionData<typeof action>();
  const outcome = posted ?? redirected;
  const navigation = useNavigation();
  const hydrated = useHydrated();
  const { t } = useTranslation();
  const words = useOutcomeWords();
  const shownUnits = center.units.filter((u) => u.shown);
  const otherUnits = center.units.filter((u) => !u.shown);
  return (
    <div className="prefs">
      <PrefsHeader>
        <Link to="/preferences/history">{t("common.history")}</Link>
        {via === "account" ? <Link to="/account">{t("common.account")}</Link> : null}
        <Form method="post" action="/logout">
          <button type="submit" className="link-button">{t("common.signOut")}</button>
        </Form>
      </PrefsHeader>
      <main className="prefs-main">
        <h1>{t("preferences.heading")}</h1>
        <p className="lede">
          {t("preferences.ledeFor")} <strong>{center.contact.email}</strong>. {t("preferences.lede")}{" "}
          {hydrated ? t("preferences.ledeAutosave") : t("preferences.ledeButtons")}
        </p>
        {via === "link" ? <p className="notice">{t("preferences.fromLink")}</p> : null}
        {outcome && "error" in outcome ? (
          <p className="error" role="alert">
            {words.error(outcome)}
          </p>
        ) : null}
        {outcome && navigation.state === "idle" && ("saved" in outcome || "paused" in outcome) ? (
          <p className="saved" role="status">
            {"paused" in outcome ? t("preferences.pauseSaved") : outcome.saved > 0 ? t("preferences.saved") : t("preferences.nothingChanged")}
          </p>
        ) : null}
        {outcome && "changedElsewhere" in outcome && outcome.changedElsewhere.length > 0 && navigation.state === "idle" ? (
          <div className="notice" role="status">
            <p>{t("preferences.changedElsewhere")}</p>
            <ul>
              {outcome.changedElsewhere.map((moved: MovedControl) => (
                <li key={words.moved(moved)}>{words.moved(moved)}</li>
              ))}
            </ul>
          </div>
        ) : null}

        {shownUnits.map((unit) => (
          <UnitCard key={unit.id} unit={unit} everywhere={center.optedOutEverywhere} />
        ))}
        {otherUnits.length > 0 ? (
          <section className="prefs-card other-units" aria-labelledby="other-units">
            <h2 id="other-units">{t("preferences.otherUnits.heading")}</h2>
            <p>{t("preferences.otherUnits.text")}</p>
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

/** What a save by one control reports beside it: "Saving…", "Saved · Undo", or why it failed. */
function SaveStatus({ fetcher, label, undo, undone }: { fetcher: FetcherWithComponents<unknown>; label: string; undo?: () => void; undone?: boolean }) {
  const { t } = useTranslation();
  const answer = fetcher.data as Outcome | undefined;
  const words = useOutcomeWords();
  return (
    <span className="toggle-status" aria-live="polite">
      {fetcher.state !== "idle" ? (
        t("preferences.toggle.saving")
      ) : answer && "error" in answer ? (
        words.error(answer)
      ) : answer ? (
        undone ? (
          t("preferences.toggle.undone")
        ) : (
          <>
            {t("preferences.toggle.saved")}
            {undo ? (
              <>
                {" · "}
                <button type="button" className="link-button" onClick={undo} aria-label={t("preferences.toggle.undoLabel", { label })}>
                  {t("preferences.toggle.undo")}
                </button>
              </>
            ) : null}
          </>
        )
      ) : null}
    </span>
  );
}

/**
 * A checkbox that is also a complete form of its own when JavaScript runs: it saves on change.
 * It posts the state it was drawn in beside its value, so a save changes only what the person changed.
 */
function Toggle({ name, checked, label, hint, className }: { name: string; checked: boolean; label: string; hint?: string; className?: string }) {
  const fetcher = useFetcher<typeof action>();
  const [undone, setUndone] = useState(false);
  const id = useId();
  const save = (from: boolean, to: boolean) => {
    const form = new FormData();
    form.set("intent", "save");
    form.set(WITH_SCRIPT, "1");
    form.set("shown", shownMarker(name, from));
    if (to) form.set(name, "on");
    fetcher.submit(form, { method: "post" });
  };
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
          setUndone(false);
          save(!event.currentTarget.checked, event.currentTarget.checked);
        }}
      />
      <span>
        {label}
        {hint ? <small>{hint}</small> : null}
      </span>
      <SaveStatus
        fetcher={fetcher}
        label={label}
        undone={undone}
        undo={() => {
          // Back to what the page showed before the change: the stored state is now `checked`.
          setUndone(true);
          save(checked, !checked);
        }}
      />
    </label>
  );
}

/** The one step that lifts what overrides a topic, as a form of its own (drawn outside the topics form: forms do not nest). */
function liftFormId(unit: Unit, override: Override, channel: Channel) {
  return `lift-${unit.slug}-${override.kind}-${channel}`;
}

function LiftForms({ unit, everywhere }: { unit: Unit; everywhere: Record<Channel, boolean> }) {
  const fetcher = useFetcher<typeof action>();
  const hydrated = useHydrated();
  const FormOf = hydrated ? fetcher.Form : Form;
  const overrides = CHANNELS.flatMap((channel) => {
    const override = overrideOf(unit, everywhere, channel);
    return override && override.kind !== "less-often" && unit.topics.some((topic) => topic.channels.some((c) => c.channel === channel && c.subscribed)) ? [{ channel, override }] : [];
  });
  return (
    <>
      {overrides.map(({ channel, override }) => (
        <FormOf key={channel} method="post" id={liftFormId(unit, override, channel)} hidden>
          <ScriptMarker />
          {override.kind === "everywhere" ? (
            <>
              <input type="hidden" name="intent" value="save" />
              <input type="hidden" name="shown" value={shownMarker(controlName.everywhere(channel), true)} />
            </>
          ) : override.kind === "unit" ? (
            <>
              <input type="hidden" name="intent" value="save" />
              <input type="hidden" name="shown" value={shownMarker(controlName.unitOptOut(unit.id, channel), true)} />
            </>
          ) : override.kind === "paused" ? (
            <>
              <input type="hidden" name="intent" value="resume" />
              <input type="hidden" name="unit" value={unit.id} />
            </>
          ) : null}
        </FormOf>
      ))}
    </>
  );
}

/** In place of a ticked topic that something wider keeps silent: what does, and how to lift it. */
function Overridden({ unit, override, channel, label }: { unit: Unit; override: Override; channel: Channel; label: string }) {
  const { t } = useTranslation();
  const day = useDay();
  const words =
    override.kind === "everywhere"
      ? t("preferences.overridden.everywhere", { channel: t(`preferences.channelInSentence.${channel}`) })
      : override.kind === "unit"
        ? t("preferences.overridden.unit", { unit: unit.displayName, channel: t(`preferences.channelInSentence.${channel}`) })
        : override.kind === "paused"
          ? t("preferences.overridden.paused", { unit: unit.displayName, date: day(override.until) })
          : t(`preferences.overridden.lessOften_${override.frequency}`, { unit: unit.displayName });
  return (
    <p className={override.kind === "less-often" ? "overridden less-often" : `overridden ch-${channel}`}>
      {label ? <strong>{label}</strong> : null} <span>{words}</span>
      {" · "}
      {override.kind === "less-often" ? (
        <a href={`#frequency-${unit.slug}`}>{t("preferences.overridden.change")}</a>
      ) : (
        <button type="submit" form={liftFormId(unit, override, channel)} className="link-button">
          {override.kind === "paused" ? t("preferences.overridden.resume") : t("preferences.overridden.turnBackOn")}
        </button>
      )}
    </p>
  );
}

function UnitCard({ unit, everywhere }: { unit: Unit; everywhere: Record<Channel, boolean> }) {
  const { t } = useTranslation();
  const hydrated = useHydrated();
  const day = useDay();
  const headingId = `unit-${unit.slug}`;
  return (
    <section className="prefs-card" style={{ "--brand": /^#[0-9a-f]{6}$/i.test(unit.brandColor) ? unit.brandColor : undefined } as React.CSSProperties} aria-labelledby={headingId}>
      <h2 id={headingId}>{unit.displayName}</h2>
      {unit.pausedUntil ? <p className="notice">{t("preferences.unit.paused", { unit: unit.displayName, date: day(unit.pausedUntil) })}</p> : null}
      {unit.frequency !== "EVERYTHING" ? <Overridden unit={unit} override={{ kind: "less-often", frequency: unit.frequency }} channel="EMAIL" label="" /> : null}
      <Form method="post" className="topics">
        <input type="hidden" name="intent" value="save" />
        {unit.topics.map((topic) => (
          <fieldset key={topic.id} className="topic">
            <legend>
              {topic.name}
              {topic.description ? <small>{topic.description}</small> : null}
            </legend>
            <div className="channels">
              {topic.channels.map(({ channel, subscribed }) => {
                const found = subscribed ? overrideOf(unit, everywhere, channel) : null;
                // "Send me less" leaves the topics on; the card says it once, above them.
                const override = found?.kind === "less-often" ? null : found;
                const label = t(`preferences.channel.${channel}`);
                // A ticked topic that something wider keeps silent is not shown as on (issue 20): it says what overrides it.
                return override ? (
                  <Overridden key={channel} unit={unit} override={override} channel={channel} label={label} />
                ) : (
                  <Toggle key={channel} className={`ch-${channel}`} name={controlName.topic(topic.id, channel)} checked={subscribed} label={label} />
                );
              })}
            </div>
          </fieldset>
        ))}
        <div className="unit-wide">
          <Toggle
            name={controlName.unitOptOut(unit.id, "EMAIL")}
            checked={unit.optedOut.EMAIL}
            label={t("preferences.unit.optOut", { unit: unit.displayName })}
            hint={t("preferences.unit.optOutHint")}
          />
        </div>
        {hydrated ? null : (
          <button type="submit" className="button">
            {t("preferences.unit.save", { unit: unit.displayName })}
          </button>
        )}
      </Form>
      <LiftForms unit={unit} everywhere={everywhere} />
      <Form method="post" className="pause">
        <ScriptMarker />
        <input type="hidden" name="unit" value={unit.id} />
        {unit.pausedUntil ? (
          <button type="submit" name="intent" value="resume" className="button secondary">
            {t("preferences.unit.resume", { unit: unit.displayName })}
          </button>
        ) : (
          <>
            <span>{t("preferences.unit.needBreak")}</span>
            <input type="hidden" name="intent" value="pause" />
            <button type="submit" name="days" value="30" className="button secondary">
              {t("preferences.unit.pause30")}
            </button>
            <button type="submit" name="days" value="90" className="button secondary">
              {t("preferences.unit.pause90")}
            </button>
          </>
        )}
      </Form>
      <FrequencyControl unit={unit} />
      {unit.exemptCategories.length > 0 ? (
        <details className="service">
          <summary>{t("preferences.unit.service", { unit: unit.displayName })}</summary>
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

/**
 * "Send me less" for one unit (ADR 043): how many of its promotional emails at most. With
 * JavaScript a choice saves itself like the toggles; without it, a plain form with its button.
 */
function FrequencyControl({ unit }: { unit: Unit }) {
  const { t } = useTranslation();
  const hydrated = useHydrated();
  const fetcher = useFetcher<typeof action>();
  const [undone, setUndone] = useState(false);
  // The choice before the last change, for Undo: once the page reloads its data, unit.frequency is the new one.
  const [previous, setPrevious] = useState(unit.frequency);
  const choose = (frequency: FrequencyOption) => fetcher.submit({ intent: "frequency", unit: unit.id, frequency, [WITH_SCRIPT]: "1" }, { method: "post" });
  return (
    <Form method="post" className="frequency" id={`frequency-${unit.slug}`}>
      <input type="hidden" name="intent" value="frequency" />
      <input type="hidden" name="unit" value={unit.id} />
      <fieldset>
        <legend>{t("preferences.frequency.legend", { unit: unit.displayName })}</legend>
        {FREQUENCY_OPTIONS.map((option) => (
          <label key={option} className="choice">
            <input
              key={String(unit.frequency === option)}
              type="radio"
              name="frequency"
              value={option}
              defaultChecked={unit.frequency === option}
              onChange={() => {
                setUndone(false);
                setPrevious(unit.frequency);
                choose(option);
              }}
            />
            <span>{t(`preferences.frequency.${option}`)}</span>
          </label>
        ))}
        <SaveStatus
          fetcher={fetcher}
          label={t("preferences.frequency.legend", { unit: unit.displayName })}
          undone={undone}
          undo={() => {
            setUndone(true);
            choose(previous);
          }}
        />
      </fieldset>
      {hydrated ? null : (
        <button type="submit" className="button secondary">
          {t("preferences.frequency.save")}
        </button>
      )}
    </Form>
  );
}

function EverywhereCard({ center }: { center: PreferenceCenter }) {
  const { t } = useTranslation();
  const hydrated = useHydrated();
  return (
    <section className="prefs-card" aria-labelledby="everywhere">
      <h2 id="everywhere">{t("preferences.everywhere.heading")}</h2>
      <Form method="post">
        <input type="hidden" name="intent" value="save" />
        {CHANNELS.map((channel) => (
          <Toggle key={channel} name={controlName.everywhere(channel)} checked={center.optedOutEverywhere[channel]} label={t(`preferences.everywhere.${channel}`)} />
        ))}
        {hydrated ? null : (
          <button type="submit" className="button">
            {t("preferences.everywhere.save")}
          </button>
        )}
      </Form>
    </section>
  );
}

function SharingCard({ center }: { center: PreferenceCenter }) {
  const { t } = useTranslation();
  const hydrated = useHydrated();
  return (
    <section className="prefs-card" aria-labelledby="sharing">
      <h2 id="sharing">{t("preferences.sharing.heading")}</h2>
      <p>{t("preferences.sharing.text")}</p>
      <Form method="post">
        <input type="hidden" name="intent" value="save" />
        {SHARING_PURPOSES.map((purpose) => (
          <Toggle
            key={purpose}
            name={controlName.sharing(purpose)}
            checked={center.sharing[purpose]}
            label={t(`preferences.sharing.${purpose}`)}
            hint={center.consentTexts[purpose] ?? undefined}
          />
        ))}
        {hydrated ? null : (
          <button type="submit" className="button">
            {t("preferences.sharing.save")}
          </button>
        )}
      </Form>
    </section>
  );
}
