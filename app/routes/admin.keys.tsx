import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireAdmin } from "~/domain/accounts/staff.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { KEYRING_REFRESH_MS, KID } from "~/domain/tokens/key-ids.ts";
import { listSigningKeys, retireKey, rotateKeys } from "~/domain/tokens/keys.server.ts";
import { FormMessage } from "~/components/account-ui.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { formatMoment } from "~/utils/format.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import peopleStyles from "~/styles/admin-people.css";
import { readForm } from "~/utils/read-form.server.ts";

// /admin/keys: the keys that sign unsubscribe and preference links. Rotate (a new key signs
// from now on, older keys keep verifying) and retire (links signed with the key stop working).
// Both ask for confirmation first: ?confirm=rotate, ?confirm=retire&kid=… show what it means.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: peopleStyles },
];
export const meta: MetaFunction = () => [{ title: "Signing keys — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

const REFRESH_SECONDS = KEYRING_REFRESH_MS / 1000;

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireAdmin(request);
  const search = new URL(request.url).searchParams;
  const keys = await listSigningKeys();
  const kid = search.get("kid") ?? "";
  const confirm = search.get("confirm");
  const done = search.get("done");
  const shownKid = KID.test(kid) ? kid : null;
  return data(
    {
      user: { email: staff.email, role: staff.role },
      keys,
      confirm: confirm === "rotate" ? { what: "rotate" as const } : confirm === "retire" && shownKid && keys.some((k) => k.kid === shownKid && !k.retiredAt) ? { what: "retire" as const, kid: shownKid } : null,
      done: done === "rotated" || done === "retired" ? { what: done, kid: shownKid, newKid: KID.test(search.get("new") ?? "") ? search.get("new") : null } : null,
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

const KeyAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("rotate") }),
  z.object({ intent: z.literal("retire"), kid: z.string().regex(KID, "That is not a key of this product.") }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireAdmin(request);
  const actor = staffActor(staff, requesterOf(request, context));
  const form = Object.fromEntries(await readForm(request));
  const parsed = KeyAction.safeParse(form);
  if (!parsed.success) return data({ error: "That request was not understood. Reload the page and try again." }, { status: 400 });
  if (parsed.data.intent === "rotate") {
    const { kid } = await rotateKeys(actor);
    return redirect(`/admin/keys?done=rotated&kid=${kid}`);
  }
  const retired = await retireKey(actor, parsed.data.kid);
  if (retired.outcome === "not-active") return data({ error: `There is no active key “${parsed.data.kid}”: it may have been retired already.` }, { status: 400 });
  return redirect(`/admin/keys?done=retired&kid=${retired.kid}${retired.newKid ? `&new=${retired.newKid}` : ""}`);
}

export default function KeysRoute() {
  const { user, keys, confirm, done } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const active = keys.filter((k) => !k.retiredAt);
  const signer = keys.find((k) => k.signsNewLinks);
  return (
    <StaffFrame user={user} title="Signing keys">
      <p className="lede">
        These keys sign the unsubscribe and preference links in every email. The newest active key signs new links; every active key
        verifies the links it signed. Rotate keys from time to time, and retire a key only when its links must stop working (for
        example, if it may have leaked).
      </p>
      {answer?.error ? (
        <FormMessage tone="error">
          <p>{answer.error}</p>
        </FormMessage>
      ) : null}
      {done?.what === "rotated" ? (
        <FormMessage tone="success">
          <p>New key {done.kid} signs new links from now on. Links signed with older keys keep working.</p>
        </FormMessage>
      ) : null}
      {done?.what === "retired" ? (
        <FormMessage tone="success">
          <p>
            Key {done.kid} is retired: links signed with it now show the “this link no longer works” page.
            {done.newKid ? ` It was the last active key, so a new key, ${done.newKid}, was created and signs from now on.` : ""}
          </p>
        </FormMessage>
      ) : null}

      {confirm?.what === "rotate" ? (
        <section className="staff-panel confirm-panel" aria-labelledby="confirm-heading">
          <h2 id="confirm-heading">Rotate the signing key?</h2>
          <p>A new key is created and signs every link from now on. Links already sent keep working: their keys still verify them.</p>
          <Form method="post" className="form-actions">
            <button type="submit" name="intent" value="rotate" className="button">
              Create a new signing key
            </button>
            <Link to="/admin/keys">Cancel</Link>
          </Form>
        </section>
      ) : null}
      {confirm?.what === "retire" ? (
        <section className="staff-panel confirm-panel danger-zone" aria-labelledby="confirm-heading">
          <h2 id="confirm-heading">Retire key {confirm.kid}?</h2>
          <p>
            Every unsubscribe and preference link signed with this key stops working at once. People who click one see “this link no
            longer works” and can ask for a new link by email. This cannot be undone.
          </p>
          {active.length === 1 ? (
            <p>It is the only active key, so a new key is created at the same time and signs from now on.</p>
          ) : confirm.kid === signer?.kid ? (
            <p>It signs new links today; the newest other active key will sign them from now on.</p>
          ) : null}
          <Form method="post" className="form-actions">
            <input type="hidden" name="kid" value={confirm.kid} />
            <button type="submit" name="intent" value="retire" className="button danger">
              Retire key {confirm.kid}
            </button>
            <Link to="/admin/keys">Cancel</Link>
          </Form>
        </section>
      ) : null}

      {confirm ? null : (
        <p>
          <Link to="/admin/keys?confirm=rotate" className="button">
            Rotate…
          </Link>
        </p>
      )}

      <table className="staff-table stack-table keys-table">
        <caption className="visually-hidden">Signing keys, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Key id</th>
            <th scope="col">Created (UTC)</th>
            <th scope="col">State</th>
            <th scope="col" className="number">
              Links signed, last 7 days
            </th>
            <th scope="col" className="number">
              Last 30 days
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.kid} className={key.retiredAt ? "retired" : undefined}>
              <th scope="row">
                <code>{key.kid}</code>
              </th>
              <td data-label="Created">{formatMoment(key.createdAt)}</td>
              <td data-label="State">
                {key.retiredAt ? (
                  `Retired ${formatMoment(key.retiredAt)}`
                ) : key.signsNewLinks ? (
                  <strong className="signs-marker">Active — signs new links</strong>
                ) : (
                  "Active — verifies only"
                )}
              </td>
              <td data-label="Signed, 7 days" className="number">
                {key.signedLast7Days.toLocaleString("en-GB")}
              </td>
              <td data-label="Signed, 30 days" className="number">
                {key.signedLast30Days.toLocaleString("en-GB")}
              </td>
              <td data-label="Actions">
                {key.retiredAt ? null : <Link to={`/admin/keys?confirm=retire&kid=${encodeURIComponent(key.kid)}`}>Retire {key.kid}…</Link>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint keys-note">
        Changes apply at once in this web server. Other processes that sign or check links (campaign workers started with{" "}
        <code>npm run worker</code>, other web servers) re-read the keys every {REFRESH_SECONDS} seconds, so for up to{" "}
        {REFRESH_SECONDS} seconds they may still sign with a retired key or refuse a new one. Rotate first, then wait a minute before
        retiring the old key. Counts include links signed in the last few seconds by this server; other processes add theirs every
        few seconds.
      </p>
    </StaffFrame>
  );
}
