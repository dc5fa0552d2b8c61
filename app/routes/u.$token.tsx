import {
  data,
  redirect,
  type ActionFunctionArgs,
  type AppLoadContext,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { z } from "zod";
import { openLinkSession } from "~/domain/accounts/sessions.server.ts";
import { getKeyring } from "~/domain/tokens/keyring.server.ts";
import { checkLink, type LinkClaims } from "~/domain/tokens/link-tokens.server.ts";
import { ConsentError } from "~/domain/consent/changes.server.ts";
import {
  applyUnsubscribeChoice,
  findLinkContact,
  loadUnsubscribePage,
  resubscribeFromLink,
  undoUnsubscribe,
  type UnsubscribePage,
} from "~/domain/unsubscribe/unsubscribe.server.ts";
import { recordUnsubscribeReason } from "~/domain/unsubscribe/reasons.server.ts";
import { UNSUBSCRIBE_CHOICES, UNSUBSCRIBE_REASONS, type UnsubscribeChoice } from "~/domain/unsubscribe/choices.ts";
import { chooseLanguage, contactLanguage } from "~/domain/language/choice.server.ts";
import { languageOfRequest } from "~/i18n/language.server.ts";
import { LANGUAGES } from "~/i18n/languages.ts";
import { tFor } from "~/i18n/i18n.ts";
import { isOneClickForm, optOutByOneClick } from "~/domain/unsubscribe/one-click.server.ts";
import { BadLink, badLinkStatus, NewLinkForm, type BadLinkReason } from "~/components/bad-link.tsx";
import { BrandedPage } from "~/components/branded-page.tsx";
import { formatDayFor, type Reader } from "~/utils/format.ts";
import { repeated } from "~/utils/form-schemas.ts";
import { parseFormData } from "~/utils/parse-form.server.ts";
import { readForm } from "~/utils/read-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";

// /u/<token>: the unsubscribe link of a promotional email. GET shows the choices and changes
// nothing (scanners follow links); POST applies a choice, RFC 8058 one-click, or an undo.

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title:
      data && "page" in data
        ? tFor(data.language)("unsubscribe.title", { unit: data.page.unit.displayName })
        : tFor(data?.language ?? "en")("common.badLink.title"),
  },
  { name: "robots", content: "noindex" },
  { name: "referrer", content: "same-origin" },
];

// Pages reached by a personal link are never cached: not by the browser, not by a proxy.
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

async function verify(token: string | undefined) {
  return checkLink(await getKeyring(), token ?? "", "unsubscribe");
}

function badLink(reason: BadLinkReason, request?: Request) {
  const language = request ? languageOfRequest(request) : undefined;
  return data({ badLink: reason, language }, { status: badLinkStatus(reason), headers: { "Cache-Control": "no-store" } });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const link = await verify(params.token);
  if (!link.ok) return badLink(link.failure, request);
  const [page, contact] = await Promise.all([loadUnsubscribePage(link.claims), contactLanguage(link.claims.contactId)]);
  if (!page) return badLink("gone", request);
  // The link knows its person: the page speaks their stored language, dated in their time zone.
  const language = languageOfRequest(request, contact?.locale);
  return data({ page, optOutOnly: link.claims.optOutOnly, language, timeZone: contact?.timeZone ?? null }, { headers: { "Cache-Control": "no-store" } });
}

const PageRequest = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("choose"), choice: z.enum(UNSUBSCRIBE_CHOICES, { error: "chooseOne" }) }),
  z.object({ intent: z.literal("undo"), event: repeated(z.array(z.coerce.number().int().positive()).min(1).max(10)) }),
  z.object({ intent: z.literal("manage") }),
  z.object({ intent: z.literal("resubscribe") }),
  // Optional: sent without a reason, it records nothing.
  z.object({ intent: z.literal("why"), reason: z.enum(UNSUBSCRIBE_REASONS).optional() }),
  // The language switch on this page: stored on the link's contact, with the browser's time zone.
  z.object({ intent: z.literal("language"), language: z.enum(LANGUAGES), timeZone: z.string().max(64).optional() }),
]);

/** What went wrong, as a key of the page's messages: the page says it in the person's language. */
type PageError = "chooseOne" | "notUnderstood" | "notSingleTopic";

export type UnsubscribeOutcome =
  | { done: "one-click" }
  | { done: "choice"; choice: UnsubscribeChoice; eventIds: number[]; changed: boolean }
  | { done: "undo"; undone: number }
  | { done: "resubscribe"; changed: boolean }
  | { done: "why" }
  | { error: PageError };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const link = await verify(params.token);
  if (!link.ok) return badLink(link.failure);
  const { claims } = link;
  // An erased contact's old emails still arrive: their links are gone, not broken.
  if (!(await findLinkContact(claims.contactId))) return badLink("gone");
  try {
    return await applyRequest(claims, request, context);
  } catch (error) {
    // The link names a topic or unit that no longer takes this change.
    if (error instanceof ConsentError) return badLink("gone");
    throw error;
  }
}

async function applyRequest(claims: LinkClaims, request: Request, context: AppLoadContext) {
  const requester = requesterOf(request, context);
  // The raw form, not parseForm: the one-click check comes first and must cost no schema parse.
  const form = await readForm(request);

  // RFC 8058: a mailbox provider POSTs exactly this, with no cookies. Answer 200, no redirect, no cookie.
  if (isOneClickForm(form)) {
    if (!(await optOutByOneClick(claims, requester))) return badLink("gone");
    return data<UnsubscribeOutcome>({ done: "one-click" });
  }

  const parsed = parseFormData(form, PageRequest);
  // The person picks only the choice; the intent and events come from the page itself.
  if (!parsed.ok) return data<UnsubscribeOutcome>({ error: parsed.errors.choice ? "chooseOne" : "notUnderstood" }, { status: parsed.status });
  const input = parsed.value;
  if (input.intent === "language") {
    // Even an old link may say which language its person reads; then the page again, by GET.
    await chooseLanguage(claims.contactId, input.language, input.timeZone);
    const url = new URL(request.url);
    url.searchParams.delete("lang");
    return redirect(url.pathname + url.search);
  }
  // A link signed by a retired key still opts out; opening preferences, undoing or subscribing again needs a current link.
  if (claims.optOutOnly && (input.intent === "manage" || input.intent === "undo" || input.intent === "resubscribe")) return badLink("retired-key");
  if (input.intent === "why") {
    // Only a reason for this link's contact, unit and campaign; a second answer replaces the first.
    if (input.reason) await recordUnsubscribeReason(claims, input.reason);
    return data<UnsubscribeOutcome>({ done: "why" });
  }
  if (input.intent === "resubscribe") {
    const { changed } = await resubscribeFromLink(claims, requester);
    return data<UnsubscribeOutcome>({ done: "resubscribe", changed });
  }
  if (input.intent === "manage") {
    const setCookie = await openLinkSession(claims, requester);
    return redirect("/preferences", { headers: { "Set-Cookie": setCookie } });
  }
  if (input.intent === "undo") {
    const { undone } = await undoUnsubscribe(claims, input.event, requester);
    return data<UnsubscribeOutcome>({ done: "undo", undone });
  }
  if (input.choice === "topic" && !claims.topicId) {
    return data<UnsubscribeOutcome>({ error: "notSingleTopic" }, { status: 400 });
  }
  const result = await applyUnsubscribeChoice(claims, input.choice, requester);
  return data<UnsubscribeOutcome>({ done: "choice", choice: input.choice, ...result });
}

export default function UnsubscribeRoute() {
  const loaded = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() as UnsubscribeOutcome | { badLink: BadLinkReason } | undefined;
  if ("badLink" in loaded) return <BadLink reason={loaded.badLink} />;
  if (outcome && "badLink" in outcome) return <BadLink reason={outcome.badLink} />;
  const { page, optOutOnly, language, timeZone } = loaded;
  const reader: Reader = { language, timeZone };
  return (
    <BrandedPage unit={page.unit} switchAction={useLocation().pathname}>
      {outcome && "done" in outcome ? (
        <Confirmation outcome={outcome} page={page} optOutOnly={optOutOnly} reader={reader} />
      ) : (
        <Choices page={page} error={outcome && "error" in outcome ? outcome.error : null} reader={reader} />
      )}
      <ServiceMessages page={page} />
      <ManageMore optOutOnly={optOutOnly} />
    </BrandedPage>
  );
}

type Page = UnsubscribePage;

function ManageMore({ optOutOnly }: { optOutOnly: boolean }) {
  const { t } = useTranslation();
  return optOutOnly ? (
    // An old link (its key was retired) still unsubscribes, but opens nothing more: offer a fresh one.
    <section className="manage">
      <p>{t("unsubscribe.oldLink")}</p>
      <NewLinkForm />
    </section>
  ) : (
    <Form method="post" className="manage">
      <input type="hidden" name="intent" value="manage" />
      <p>{t("unsubscribe.manageQuestion")}</p>
      <button type="submit" className="button secondary">
        {t("unsubscribe.manage")}
      </button>
    </Form>
  );
}

/** The one thing the link is about, in the words of the main button: its topic, else its unit. */
function mainChoice(page: Page): { choice: UnsubscribeChoice; name: string } {
  return page.topic && page.state.topicSubscribed ? { choice: "topic", name: page.topic.name } : { choice: "unit", name: page.unit.displayName };
}

function Choices({ page, error, reader }: { page: Page; error: PageError | null; reader: Reader }) {
  const { t } = useTranslation();
  const { unit, topic, state } = page;
  const main = mainChoice(page);
  const values = { unit: unit.displayName };
  const others: { value: UnsubscribeChoice; label: string; hint?: string }[] = [
    ...(state.frequency !== "WEEKLY" ? [{ value: "less-weekly" as const, label: t("unsubscribe.choice.lessWeekly", values) }] : []),
    ...(state.frequency !== "MONTHLY" ? [{ value: "less-monthly" as const, label: t("unsubscribe.choice.lessMonthly", values) }] : []),
    { value: "pause-30", label: t("unsubscribe.choice.pause30", values), hint: t("unsubscribe.choice.pauseHint") },
    { value: "pause-90", label: t("unsubscribe.choice.pause90", values), hint: t("unsubscribe.choice.pauseHint") },
    ...(main.choice === "topic" ? [{ value: "unit" as const, label: t("unsubscribe.choice.unit", values) }] : []),
    { value: "everywhere", label: t("unsubscribe.choice.everywhere") },
  ];
  return (
    <>
      {state.alreadyUnsubscribed ? (
        <AlreadyUnsubscribed page={page} />
      ) : (
        <>
          <h1>{t("unsubscribe.heading", { name: main.name })}</h1>
          <p className="lede">
            <Trans<"unsubscribe.forAddress"> t={t} i18nKey="unsubscribe.forAddress" values={{ email: page.maskedEmail }} components={{ strong: <strong /> }} />
            {topic && main.choice === "topic" ? t("unsubscribe.fromUnit", values) : null}
          </p>
          {state.pausedUntil ? (
            <p className="notice" role="status">
              {t("unsubscribe.pausedUntil", { ...values, date: formatDayFor(state.pausedUntil, reader) })}
            </p>
          ) : null}
          {state.frequency !== "EVERYTHING" ? (
            <p className="notice" role="status">
              {t("unsubscribe.youGet", { ...values, frequency: t(`unsubscribe.frequency.${state.frequency}`) })}
            </p>
          ) : null}
          <Form method="post" className="choices">
            <input type="hidden" name="intent" value="choose" />
            <input type="hidden" name="choice" value={main.choice} />
            <button type="submit" className="button">
              {t("unsubscribe.button", { name: main.name })}
            </button>
          </Form>
        </>
      )}
      <details className="other-choices" open={error !== null}>
        <summary>{t("unsubscribe.otherChoices")}</summary>
        <Form method="post" className="choices">
          <input type="hidden" name="intent" value="choose" />
          <fieldset>
            <legend>{t("unsubscribe.instead")}</legend>
            {others.map((option) => (
              <label key={option.value} className="choice">
                <input type="radio" name="choice" value={option.value} />
                <span>
                  {option.label}
                  {option.hint ? <small>{option.hint}</small> : null}
                </span>
              </label>
            ))}
          </fieldset>
          {error ? (
            <p className="error" role="alert">
              {t(`unsubscribe.${error}`)}
            </p>
          ) : null}
          <button type="submit" className="button secondary">
            {t("unsubscribe.confirm")}
          </button>
        </Form>
      </details>
    </>
  );
}

function AlreadyUnsubscribed({ page }: { page: Page }) {
  const { t } = useTranslation();
  const { state, unit, topic } = page;
  const what = state.optedOutEverywhere
    ? t("unsubscribe.already.everywhere")
    : state.unitOptedOut
      ? t("unsubscribe.already.unit", { unit: unit.displayName })
      : t("unsubscribe.already.topic", { topic: topic?.name ?? t("unsubscribe.already.thisTopic") });
  return (
    <>
      <h1>{t("unsubscribe.already.heading")}</h1>
      <p className="lede">
        <Trans<"unsubscribe.already.text"> t={t} i18nKey="unsubscribe.already.text" values={{ email: page.maskedEmail, what }} components={{ strong: <strong /> }} />
      </p>
      {state.canResubscribe ? (
        <Form method="post" className="choices">
          <input type="hidden" name="intent" value="resubscribe" />
          <button type="submit" className="button">
            {t("unsubscribe.already.resubscribe", { name: topic && !state.topicSubscribed ? topic.name : unit.displayName })}
          </button>
        </Form>
      ) : (
        <p>{t("unsubscribe.already.manageBelow")}</p>
      )}
    </>
  );
}

type Done = Exclude<UnsubscribeOutcome, { error: PageError }>;

function Confirmation({ outcome, page, optOutOnly, reader }: { outcome: Done; page: Page; optOutOnly: boolean; reader: Reader }) {
  const { t } = useTranslation();
  const { unit, topic } = page;
  const values = { unit: unit.displayName };
  if (outcome.done === "undo") {
    return (
      <div role="status">
        <h1>{t("unsubscribe.undone.heading")}</h1>
        <p className="lede">{outcome.undone > 0 ? t("unsubscribe.undone.done") : t("unsubscribe.undone.nothing")}</p>
      </div>
    );
  }
  if (outcome.done === "resubscribe") {
    return (
      <div role="status">
        <h1>{t("unsubscribe.resubscribed.heading")}</h1>
        <p className="lede">{outcome.changed ? t("unsubscribe.resubscribed.done", values) : t("unsubscribe.nothingChanged")}</p>
      </div>
    );
  }
  if (outcome.done === "why") {
    return (
      <div role="status">
        <h1>{t("unsubscribe.thanks.heading")}</h1>
        <p className="lede">{t("unsubscribe.thanks.text", values)}</p>
      </div>
    );
  }
  const topicName = topic?.name ?? t("unsubscribe.already.thisTopic");
  const headline: Record<UnsubscribeChoice | "one-click", string> = {
    "one-click": t("unsubscribe.done.oneClick", values),
    topic: t("unsubscribe.done.topic", { topic: topicName }),
    unit: t("unsubscribe.done.unit", values),
    everywhere: t("unsubscribe.done.everywhere"),
    "less-weekly": t("unsubscribe.done.lessWeekly", values),
    "less-monthly": t("unsubscribe.done.lessMonthly", values),
    "pause-30": t("unsubscribe.done.paused", values),
    "pause-90": t("unsubscribe.done.paused", values),
  };
  const key = outcome.done === "one-click" ? "one-click" : outcome.choice;
  const unsubscribed = key === "topic" || key === "unit" || key === "everywhere";
  return (
    <div role="status">
      <h1>{headline[key]}</h1>
      <p className="lede">
        {key.startsWith("pause") && page.state.pausedUntil
          ? t("unsubscribe.done.pausedUntil", { date: formatDayFor(page.state.pausedUntil, reader) })
          : key.startsWith("less")
            ? t("unsubscribe.done.less")
            : t("unsubscribe.done.atOnce")}
      </p>
      {outcome.done === "choice" && outcome.eventIds.length > 0 && !optOutOnly ? (
        <Form method="post" className="undo">
          <input type="hidden" name="intent" value="undo" />
          {outcome.eventIds.map((id) => (
            <input key={id} type="hidden" name="event" value={id} />
          ))}
          <button type="submit" className="button secondary">
            {t("unsubscribe.undo")}
          </button>
        </Form>
      ) : null}
      {outcome.done === "choice" && !outcome.changed ? <p>{t("unsubscribe.nothingChanged")}</p> : null}
      {outcome.done === "choice" && unsubscribed ? <WhyQuestion /> : null}
    </div>
  );
}

/** The optional "why?": one question, skippable, recorded for staff as counts (ADR 043). */
function WhyQuestion() {
  const { t } = useTranslation();
  return (
    <Form method="post" className="why">
      <input type="hidden" name="intent" value="why" />
      <fieldset>
        <legend>{t("unsubscribe.why.question")}</legend>
        {UNSUBSCRIBE_REASONS.map((reason) => (
          <label key={reason} className="choice">
            <input type="radio" name="reason" value={reason} />
            <span>{t(`unsubscribe.why.${reason}`)}</span>
          </label>
        ))}
      </fieldset>
      <button type="submit" className="button secondary">
        {t("unsubscribe.why.send")}
      </button>
    </Form>
  );
}

function ServiceMessages({ page }: { page: Page }) {
  const { t } = useTranslation();
  if (page.unit.exemptCategories.length === 0) return null;
  return (
    <details className="service">
      <summary>{t("unsubscribe.service.summary")}</summary>
      <p>{t("unsubscribe.service.text", { unit: page.unit.displayName })}</p>
      <ul>
        {page.unit.exemptCategories.map((category) => (
          <li key={category.name}>
            <strong>{category.name}.</strong> {category.reason}
          </li>
        ))}
      </ul>
    </details>
  );
}
