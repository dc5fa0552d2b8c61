import { data, type ActionFunctionArgs, type HeadersFunction, type MetaFunction } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { EmailSchema } from "~/domain/consent/email.ts";
import { requestNewPreferencesLink } from "~/domain/unsubscribe/new-link.server.ts";
import { NewLinkForm } from "~/components/bad-link.tsx";
import { PlainPage } from "~/components/branded-page.tsx";
import { requesterOf } from "~/utils/request.server.ts";
import { readForm } from "~/utils/read-form.server.ts";

// /links/new: "email me a new link". The answer never says whether the address is known.

export const meta: MetaFunction = () => [{ title: "Get a new preferences link" }];

// Retry-After on a 429 must reach the response: Remix applies route headers only through this.
export const headers: HeadersFunction = ({ actionHeaders }) => actionHeaders;

type Outcome = { sent: true } | { error: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const email = EmailSchema.safeParse(form.get("email") ?? "");
  if (!email.success) return data<Outcome>({ error: email.error.issues[0].message }, { status: 400 });
  const result = await requestNewPreferencesLink(email.data, requesterOf(request, context));
  if (!result.allowed) {
    const minutes = Math.ceil(result.retryAfterSeconds / 60);
    return data<Outcome>(
      { error: `Too many requests. Please try again in ${minutes} minute${minutes === 1 ? "" : "s"}.` },
      { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
    );
  }
  return data<Outcome>({ sent: true });
}

export default function NewLinkRoute() {
  const outcome = useActionData<typeof action>();
  return (
    <PlainPage title="Email preferences">
      {outcome && "sent" in outcome ? (
        <div role="status">
          <h1>Check your inbox</h1>
          <p className="lede">
            If that address is on our lists, a new link to your email preferences is on its way. It can take a few minutes to arrive.
          </p>
        </div>
      ) : (
        <>
          <h1>Get a new link</h1>
          <p className="lede">Enter your email address and we will send you a link to manage your email preferences.</p>
          <NewLinkForm error={outcome && "error" in outcome ? outcome.error : null} />
        </>
      )}
    </PlainPage>
  );
}
