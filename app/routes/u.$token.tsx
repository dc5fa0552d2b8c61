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
  undoUnsubscribe,
  type UnsubscribePage,
} from "~/domain/unsubscribe/unsubscribe.server.ts";
import { UNSUBSCRIBE_CHOICES, type UnsubscribeChoice } from "~/domain/unsubscribe/choices.ts";
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
]);

const NOT_UNDERSTOOD = "That request was not understood. Please reload the page and try again.";

export type UnsubscribeOutcome =
  | { done: "one-click" }
  | { done: "choice"; choice: UnsubscribeChoice; eventIds: number[]; changed: boolean }
  | { done: "undo"; undone: number }
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
  // A link signed by a retired key still opts out; opening preferences or undoing needs a current link.
  if (claims.optOutOnly && (input.intent === "manage" || input.intent === "undo")) return badLink("retired-key");
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

function Choices({ page, error }: { page: Page; error: string | null }) {
  const { unit, topic, state } = page;
  const options: { value: UnsubscribeChoice; label: string; hint?: string }[] = [
    ...(topic && state.topicSubscribed ? [{ value: "topic" as const, label: `Unsubscribe from “${topic.name}” only` }] : []),
    { value: "unit", label: `Unsubscribe from all ${unit.displayName} promotional email`, hint: "Our other brands keep writing only if you subscribed to them." },
    { value: "everywhere", label: "Unsubscribe from promotional email from all our brands" },
    { value: "pause-30", label: `Pause ${unit.displayName} promotional email for 30 days`, hint: "It starts again by itself." },
    { value: "pause-90", label: `Pause ${unit.displayName} promotional email for 90 days`, hint: "It starts again by itself." },
  ];
  return (
    <>
      <h1>Unsubscribe from {unit.displayName} email</h1>
      <p className="lede">
        For <strong>{page.maskedEmail}</strong>
        {topic ? <> · about “{topic.name}”</> : null}
      </p>
      <StateNotice page={page} />
      <Form method="post" className="choices">
        <input type="hidden" name="intent" value="choose" />
        <fieldset>
          <legend>What would you like to do?</legend>
          {options.map((option) => (
            <label key={option.value} className="choice">
              <input type="radio" name="choice" value={option.value} defaultChecked={option.value === "unit"} />
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
        <button type="submit" className="button">Confirm</button>
      </Form>
    </>
  );
}

function StateNotice({ page }: { page: Page }) {
  const { state, unit } = page;
  const notes: string[] = [];
  if (state.optedOutEverywhere) notes.push("You are already unsubscribed from promotional email from all our brands.");
  else if (state.unitOptedOut) notes.push(`You are already unsubscribed from all ${unit.displayName} promotional email.`);
  if (state.pausedUntil) notes.push(`${unit.displayName} promotional email is paused until ${formatDay(state.pausedUntil)}.`);
  if (notes.length === 0) return null;
  return (
    <div className="notice" role="status">
      {notes.map((note) => (
        <p key={note}>{note}</p>
      ))}
    </div>
  );
}

function Confirmation({ outcome, page, optOutOnly }: { outcome: Exclude<UnsubscribeOutcome, { error: string }>; page: Page; optOutOnly: boolean }) {
  const { unit, topic } = page;
  if (outcome.done === "undo") {
    return (
      <div role="status">
        <h1>Your change was undone</h1>
        <p className="lede">{outcome.undone > 0 ? "Your email preferences are as they were before." : "There was nothing left to undo."}</p>
      </div>
    );
  }
  const headline: Record<UnsubscribeChoice | "one-click", string> = {
    "one-click": `You are unsubscribed from ${unit.displayName} promotional email`,
    topic: `You are unsubscribed from “${topic?.name ?? "this topic"}”`,
    unit: `You are unsubscribed from all ${unit.displayName} promotional email`,
    everywhere: "You are unsubscribed from promotional email from all our brands",
    "pause-30": `${unit.displayName} promotional email is paused`,
    "pause-90": `${unit.displayName} promotional email is paused`,
  };
  const key = outcome.done === "one-click" ? "one-click" : outcome.choice;
  return (
    <div role="status">
      <h1>{headline[key]}</h1>
      <p className="lede">
        {key.startsWith("pause") && page.state.pausedUntil
          ? `Until ${formatDay(page.state.pausedUntil)}. After that it starts again by itself.`
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
    </div>
  );
}

function ServiceMessages({ page }: { page: Page }) {
  if (page.unit.exemptCategories.length === 0) return null;
  return (
    <section className="service" aria-labelledby="service-heading">
      <h2 id="service-heading">Service messages keep coming</h2>
      <p>Whatever you choose here, {page.unit.displayName} still sends messages you need about your account:</p>
      <ul>
        {page.unit.exemptCategories.map((category) => (
          <li key={category.name}>
            <strong>{category.name}.</strong> {category.reason}
          </li>
        ))}
      </ul>
    </section>
  );
}
