import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { KEYRING_REFRESH_MS, KID, MAXIMUM_LIFETIME_DAYS } from "~/domain/tokens/key-ids.ts";
import { listSigningKeys, retireKey, revokeKey, rotateKeys } from "~/domain/tokens/keys.server.ts";
import { FormMessage } from "~/components/account-ui.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { formatMoment } from "~/utils/format.ts";
import { parseForm } from "~/utils/parse-form.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import peopleStyles from "~/styles/admin-people.css";

// /admin/keys: the keys that sign unsubscribe and preference links. Rotate (a new key signs
// from now on, older keys keep verifying), retire (it stops signing; its unsubscribe links keep
// working until they expire) and revoke (a leaked key: nothing it signed works). Each asks first:
// ?confirm=rotate|retire|revoke&kid=… show what it means; revoking also wants the key id typed.

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
      confirm: confirmation(confirm, shownKid, keys),
      done: done === "rotated" || done === "retired" || done === "revoked" ? { what: done, kid: shownKid, newKid: KID.test(search.get("new") ?? "") ? search.get("new") : null } : null,
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

type KeyRow = Awaited<ReturnType<typeof listSigningKeys>>[number];

function confirmation(confirm: string | null, kid: string | null, keys: KeyRow[]) {
  if (confirm === "rotate") return { what: "rotate" as const };
  const key = kid ? keys.find((k) => k.kid === kid) : undefined;
  if (!key) return null;
  if (confirm === "retire" && !key.retiredAt) return { what: "retire" as const, kid: key.kid, unexpiredLinks: key.unexpiredLinks };
  if (confirm === "revoke" && !key.revokedAt) return { what: "revoke" as const, kid: key.kid, unexpiredLinks: key.unexpiredLinks, active: !key.retiredAt };
  return null;
}

const KeyAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("rotate") }),
  z.object({ intent: z.literal("retire"), kid: z.string().regex(KID, "That is not a key of this product.") }),
  z.object({ intent: z.literal("revoke"), kid: z.string().regex(KID, "That is not a key of this product."), confirmKid: z.string().max(100).optional() }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireAdmin(request);
  const actor = staffActor(staff, requesterOf(request, context));
  const parsed = await parseForm(request, KeyAction);
  // The buttons and the hidden key id are the page's own: a request that fails this schema was not sent by it.
  if (!parsed.ok) return data({ error: "That request was not understood. Reload the page and try again." }, { status: 400 });
  const asked = parsed.value;
  if (asked.intent === "rotate") {
    const { kid } = await rotateKeys(actor);
    return redirect(`/admin/keys?done=rotated&kid=${kid}`);
  }
  if (asked.intent === "revoke") {
    const { kid, confirmKid } = asked;
    if (confirmKid?.trim() !== kid) return data({ error: `Type the key id ${kid} to confirm: nothing was changed.` }, { status: 400 });
    const revoked = await revokeKey(actor, kid);
    if (revoked.outcome === "not-found") return data({ error: `There is no key “${kid}” left to revoke: it may have been revoked already.` }, { status: 400 });
    return redirect(`/admin/keys?done=revoked&kid=${revoked.kid}${revoked.newKid ? `&new=${revoked.newKid}` : ""}`);
  }
  const retired = await retireKey(actor, asked.kid);
  if (retired.outcome === "not-active") return data({ error: `There is no active key “${asked.kid}”: it may have been retired already.` }, { status: 400 });
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
        verifies the links it signed. Rotate keys from time to time, then retire the old key: it stops signing, and the unsubscribe
        links it signed keep working until they expire ({MAXIMUM_LIFETIME_DAYS} days at most), as the law and mailbox providers
        require. Revoke a key only if it may have leaked: nothing it signed works any more, unsubscribe links included.
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
            Key {done.kid} is retired: it signs no more. Unsubscribe links it signed keep working until they expire; its preferences
            links now show the “this link no longer works” page.
            {done.newKid ? ` It was the last active key, so a new key, ${done.newKid}, was created and signs from now on.` : ""}
          </p>
        </FormMessage>
      ) : null}
      {done?.what === "revoked" ? (
        <FormMessage tone="success">
          <p>
            Key {done.kid} is revoked: nothing it signed works any more, unsubscribe links included.
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
            The key stops signing at once. The unsubscribe links it signed keep working until they expire, so people can still opt out
            from old emails (it signed {confirm.unexpiredLinks.toLocaleString("en-GB")} links in the last {MAXIMUM_LIFETIME_DAYS} days).
            Preference links it signed stop working at once: people who click one can ask for a new link by email. This cannot be
            undone. If the key may have leaked, revoke it instead.
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
      {confirm?.what === "revoke" ? (
        <section className="staff-panel confirm-panel danger-zone" aria-labelledby="confirm-heading">
          <h2 id="confirm-heading">Revoke key {confirm.kid}?</h2>
          <p>
            Only for a key that may have leaked. Every link it signed stops working at once, unsubscribe links and one-click
            unsubscribe included: <strong>{confirm.unexpiredLinks.toLocaleString("en-GB")} links</strong> signed in the last{" "}
            {MAXIMUM_LIFETIME_DAYS} days. People who click one see “this link no longer works” and must ask for a new link by email.
            This cannot be undone.
          </p>
          {confirm.active && active.length === 1 ? <p>It is the only active key, so a new key is created at the same time and signs from now on.</p> : null}
          <Form method="post" className="form-actions">
            <input type="hidden" name="kid" value={confirm.kid} />
            <label htmlFor="confirm-kid">
              Type the key id <code>{confirm.kid}</code> to confirm
            </label>
            <input id="confirm-kid" name="confirmKid" autoComplete="off" spellCheck={false} required />
            <button type="submit" name="intent" value="revoke" className="button danger">
              Revoke key {confirm.kid}
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
            <tr key={key.kid} className={key.revokedAt ? "retired revoked" : key.retiredAt ? "retired" : undefined}>
              <th scope="row">
                <code>{key.kid}</code>
              </th>
              <td data-label="Created">{formatMoment(key.createdAt)}</td>
              <td data-label="State">
                {key.revokedAt ? (
                  `Revoked ${formatMoment(key.revokedAt)} — verifies nothing`
                ) : key.retiredAt ? (
                  `Retired ${formatMoment(key.retiredAt)} — unsubscribe links work until ${formatMoment(key.optOutLinksUntil!)}`
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
                {key.retiredAt ? null : <Link to={`/admin/keys?confirm=retire&kid=${encodeURIComponent(key.kid)}`}>Retire {key.kid}…</Link>}{" "}
                {key.revokedAt ? null : <Link to={`/admin/keys?confirm=revoke&kid=${encodeURIComponent(key.kid)}`}>Revoke {key.kid}…</Link>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint keys-note">
        Changes apply at once in this web server. Other processes that sign or check links (campaign workers started with{" "}
        <code>npm run worker</code>, other web servers) re-read the keys every {REFRESH_SECONDS} seconds, so for up to{" "}
        {REFRESH_SECONDS} seconds they may still sign with a retired key, accept links of a revoked one, or refuse a new one. Rotate first, then wait a minute before
        retiring the old key. Counts include links signed in the last few seconds by this server; other processes add theirs every
        few seconds.
      </p>
    </StaffFrame>
  );
}
