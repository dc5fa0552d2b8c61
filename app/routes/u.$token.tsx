import {
  data,
  redirect,
  type ActionFunctionArgs,
  type AppLoadContext,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
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
import { UNSUBSCRIBE_CHOICES, UNSUBSCRIBE_REASON_WORDS, UNSUBSCRIBE_REASONS, type UnsubscribeChoice } from "~/domain/unsubscribe/choices.ts";
import { FREQUENCY_PHRASE } from "~/domain/consent/frequency.ts";
import { isOneClickForm, optOutByOneClick } from "~/domain/unsubscribe/one-click.server.ts";
import { BadLink, badLinkStatus, NewLinkForm, type BadLinkReason } from "~/components/bad-link.tsx";
import { BrandedPage } from "~/components/branded-page.tsx";
import { formatDay } from "~/utils/format.ts";
import { repeated } from "~/utils/form-schemas.ts";
import { parseFormData } from "~/utils/parse-form.server.ts";
import { readForm } from "~/utils/read-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";

// /u/<token>: the unsubscribe link of a promotional email. GET shows the choices and changes
// nothing (scanners follow links); POST applies a choice, RFC 8058 one-click, or an undo.

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data && "page" in data ? `Unsubscribe — ${data.page.unit.displayName}` : "This link no longer works" },
  { name: "robots", content: "noindex" },
  { name: "referrer", content: "same-origin" },
];

// Pages reached by a personal link are never cached: not by the browser, not by a proxy.
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

async function verify(token: string | undefined) {
  return checkLink(await getKeyring(), token ?? "", "unsubscribe");
}

function badLink(reason: BadLinkReason) {
  return data({ badLink: reason }, { status: badLinkStatus(reason), headers: { "Cache-Control": "no-store" } });
}

export async function loader({ params }: LoaderFunctionArgs) {
  const link = await verify(params.token);
  if (!link.ok) return badLink(link.failure);
  const page = await loadUnsubscribePage(link.claims);
  if (!page) return badLink("gone");
  return data({ page, optOutOnly: link.claims.optOutOnly }, { headers: { "Cache-Control": "no-store" } });
}

const PageRequest = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("choose"), choice: z.enum(UNSUBSCRIBE_CHOICES, { error: "Choose one of the options." }) }),
  z.object({ intent: z.literal("undo"), event: repeated(z.array(z.coerce.number().int().positive()).min(1).max(10)) }),
  z.object({ intent: z.literal("manage") }),
  z.object({ intent: z.literal("resubscribe") }),
  // Optional: sent without a reason, it records nothing.
  z.object({ intent: z.literal("why"), reason: z.enum(UNSUBSCRIBE_REASONS).optional() }),
]);

const NOT_UNDERSTOOD = "That request was not understood. Please reload the page and try again.";

export type UnsubscribeOutcome =
  | { done: "one-click" }
  | { done: "choice"; choice: UnsubscribeChoice; eventIds: number[]; changed: boolean }
  | { done: "undo"; undone: number }
  | { done: "resubscribe"; changed: boolean }
  | { done: "why" }
  | { error: string };

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
  if (!parsed.ok) return data<UnsubscribeOutcome>({ error: parsed.errors.choice ?? NOT_UNDERSTOOD }, { status: parsed.status });
  const input = parsed.value;
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
    return data<UnsubscribeOutcome>({ error: "This link is not about a single topic; choose another option." }, { status: 400 });
  }
  const result = await applyUnsubscribeChoice(claims, input.choice, requester);
  return data<UnsubscribeOutcome>({ done: "choice", choice: input.choice, ...result });
}

export default function UnsubscribeRoute() {
  const loaded = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() as UnsubscribeOutcome | { badLink: BadLinkReason } | undefined;
  if ("badLink" in loaded) return <BadLink reason={loaded.badLink} />;
  if (outcome && "badLink" in outcome) return <BadLink reason={outcome.badLink} />;
  const { page, optOutOnly } = loaded;
  return (
    <BrandedPage unit={page.unit}>
      {outcome && "done" in outcome ? (
        <Confirmation outcome={outcome} page={page} optOutOnly={optOutOnly} />
      ) : (
        <Choices page={page} error={outcome && "error" in outcome ? outcome.error : null} />
      )}
      <ServiceMessages page={page} />
      {optOutOnly ? (
        // An old link (its key was retired) still unsubscribes, but opens nothing more: offer a fresh one.
        <section className="manage">
          <p>To choose topic by topic, or to change postal mail and phone preferences, ask for a new link: this one is too old to open them.</p>
          <NewLinkForm />
        </section>
      ) : (
        <Form method="post" className="manage">
          <input type="hidden" name="intent" value="manage" />
          <p>Want to choose topic by topic, or change postal mail and phone preferences?</p>
          <button type="submit" className="button secondary">Manage all my preferences</button>
        </Form>
      )}
    </BrandedPage>
  );
}

type Page = UnsubscribePage;

/** The one thing the link is about, in the words of the main button: its topic, else its unit. */
function mainChoice(page: Page): { choice: UnsubscribeChoice; name: string } {
  return page.topic && page.state.topicSubscribed ? { choice: "topic", name: page.topic.name } : { choice: "unit", name: page.unit.displayName };
}

function Choices({ page, error }: { page: Page; error: string | null }) {
  const { unit, topic, state } = page;
  const main = mainChoice(page);
  const others: { value: UnsubscribeChoice; label: string; hint?: string }[] = [
    ...(state.frequency !== "WEEKLY" ? [{ value: "less-weekly" as const, label: `Send me less: at most one ${unit.displayName} email a week` }] : []),
    ...(state.frequency !== "MONTHLY" ? [{ value: "less-monthly" as const, label: `Send me less: at most one ${unit.displayName} email a month` }] : []),
    { value: "pause-30", label: `Pause ${unit.displayName} email for 30 days`, hint: "It starts again by itself." },
    { value: "pause-90", label: `Pause ${unit.displayName} email for 90 days`, hint: "It starts again by itself." },
    ...(main.choice === "topic" ? [{ value: "unit" as const, label: `Unsubscribe from all ${unit.displayName} promotional email` }] : []),
    { value: "everywhere", label: "Unsubscribe from promotional email from all our brands" },
  ];
  return (
    <>
      {state.alreadyUnsubscribed ? (
        <AlreadyUnsubscribed page={page} />
      ) : (
        <>
          <h1>Unsubscribe from {main.name}</h1>
          <p className="lede">
            For <strong>{page.maskedEmail}</strong>
            {topic && main.choice === "topic" ? <> · from {unit.displayName}</> : null}
          </p>
          {state.pausedUntil ? (
            <p className="notice" role="status">
              {unit.displayName} email is paused until {formatDay(state.pausedUntil)}.
            </p>
          ) : null}
          {state.frequency !== "EVERYTHING" ? (
            <p className="notice" role="status">
              You get {FREQUENCY_PHRASE[state.frequency]} from {unit.displayName}.
            </p>
          ) : null}
          <Form method="post" className="choices">
            <input type="hidden" name="intent" value="choose" />
            <input type="hidden" name="choice" value={main.choice} />
            <button type="submit" className="button">Unsubscribe from {main.name}</button>
          </Form>
        </>
      )}
      <details className="other-choices" open={error !== null}>
        <summary>Other choices: send me less, pause, or unsubscribe from more</summary>
        <Form method="post" className="choices">
          <input type="hidden" name="intent" value="choose" />
          <fieldset>
            <legend>What would you like instead?</legend>
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
              {error}
            </p>
          ) : null}
          <button type="submit" className="button secondary">Confirm</button>
        </Form>
      </details>
    </>
  );
}

function AlreadyUnsubscribed({ page }: { page: Page }) {
  const { state, unit, topic } = page;
  const what = state.optedOutEverywhere
    ? "promotional email from all our brands"
    : state.unitOptedOut
      ? `all ${unit.displayName} promotional email`
      : `“${topic?.name ?? "this topic"}”`;
  return (
    <>
      <h1>You are already unsubscribed</h1>
      <p className="lede">
        <strong>{page.maskedEmail}</strong> is unsubscribed from {what}.
      </p>
      {state.canResubscribe ? (
        <Form method="post" className="choices">
          <input type="hidden" name="intent" value="resubscribe" />
          <button type="submit" className="button">Subscribe again to {topic && !state.topicSubscribed ? topic.name : unit.displayName}</button>
        </Form>
      ) : (
        <p>To hear from our brands again, manage your preferences below.</p>
      )}
    </>
  );
}

type Done = Exclude<UnsubscribeOutcome, { error: string }>;

function Confirmation({ outcome, page, optOutOnly }: { outcome: Done; page: Page; optOutOnly: boolean }) {
  const { unit, topic } = page;
  if (outcome.done === "undo") {
    return (
      <div role="status">
        <h1>Your change was undone</h1>
        <p className="lede">{outcome.undone > 0 ? "Your email preferences are as they were before." : "There was nothing left to undo."}</p>
      </div>
    );
  }
  if (outcome.done === "resubscribe") {
    return (
      <div role="status">
        <h1>You are subscribed again</h1>
        <p className="lede">{outcome.changed ? `${unit.displayName} may email you again about what you subscribed to.` : "Nothing needed to change: this was already the case."}</p>
      </div>
    );
  }
  if (outcome.done === "why") {
    return (
      <div role="status">
        <h1>Thank you</h1>
        <p className="lede">Your answer helps {unit.displayName} send better email.</p>
      </div>
    );
  }
  const headline: Record<UnsubscribeChoice | "one-click", string> = {
    "one-click": `You are unsubscribed from ${unit.displayName} promotional email`,
    topic: `You are unsubscribed from “${topic?.name ?? "this topic"}”`,
    unit: `You are unsubscribed from all ${unit.displayName} promotional email`,
    everywhere: "You are unsubscribed from promotional email from all our brands",
    "less-weekly": `You will get at most one ${unit.displayName} email a week`,
    "less-monthly": `You will get at most one ${unit.displayName} email a month`,
    "pause-30": `${unit.displayName} promotional email is paused`,
    "pause-90": `${unit.displayName} promotional email is paused`,
  };
  const key = outcome.done === "one-click" ? "one-click" : outcome.choice;
  const unsubscribed = key === "topic" || key === "unit" || key === "everywhere";
  return (
    <div role="status">
      <h1>{headline[key]}</h1>
      <p className="lede">
        {key.startsWith("pause") && page.state.pausedUntil
          ? `Until ${formatDay(page.state.pausedUntil)}. After that it starts again by itself.`
          : key.startsWith("less")
            ? "Counted from the last one we sent you, whichever campaign it was. Everything else stays as it was."
            : "It takes effect at once: no further promotional email will be sent on the strength of it."}
      </p>
      {outcome.done === "choice" && outcome.eventIds.length > 0 && !optOutOnly ? (
        <Form method="post" className="undo">
          <input type="hidden" name="intent" value="undo" />
          {outcome.eventIds.map((id) => (
            <input key={id} type="hidden" name="event" value={id} />
          ))}
          <button type="submit" className="button secondary">Undo</button>
        </Form>
      ) : null}
      {outcome.done === "choice" && !outcome.changed ? <p>Nothing needed to change: this was already the case.</p> : null}
      {outcome.done === "choice" && unsubscribed ? <WhyQuestion /> : null}
    </div>
  );
}

/** The optional "why?": one question, skippable, recorded for staff as counts (ADR 043). */
function WhyQuestion() {
  return (
    <Form method="post" className="why">
      <input type="hidden" name="intent" value="why" />
      <fieldset>
        <legend>If you have a moment: why did you unsubscribe? (optional)</legend>
        {UNSUBSCRIBE_REASONS.map((reason) => (
          <label key={reason} className="choice">
            <input type="radio" name="reason" value={reason} />
            <span>{UNSUBSCRIBE_REASON_WORDS[reason]}</span>
          </label>
        ))}
      </fieldset>
      <button type="submit" className="button secondary">Send answer</button>
    </Form>
  );
}

function ServiceMessages({ page }: { page: Page }) {
  if (page.unit.exemptCategories.length === 0) return null;
  return (
    <details className="service">
      <summary>Service messages keep coming</summary>
      <p>Whatever you choose here, {page.unit.displayName} still sends messages you need about your account:</p>
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
