import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { answering404, requireStaff } from "~/utils/permissions.server.ts";
import { staffUnits } from "~/domain/accounts/staff.server.ts";
import { CampaignError } from "~/domain/campaigns/campaigns.server.ts";
import { addSeedAddress, listSeedAddresses, removeSeedAddress } from "~/domain/campaigns/seed-list.server.ts";
import { SEED_LIST_LIMIT } from "~/domain/campaigns/seed-list.ts";
import { StaffFrame } from "~/components/staff-frame.tsx";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import { parseForm } from "~/utils/parse-form.server.ts";

// /campaigns/seeds?unit=<id>: the unit's seed list, the addresses "Send a test to the seed list"
// sends to (ADR 054). Kept by the unit's marketers and admins.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
];

export const meta: MetaFunction = () => [{ title: "Seed list" }];

export async function loader({ request }: LoaderFunctionArgs) {
  return answering404(async () => {
    const staff = await requireStaff(request);
    const units = await staffUnits(staff);
    const asked = Number(new URL(request.url).searchParams.get("unit"));
    const unit = units.find((u) => u.id === asked) ?? units[0];
    const addresses = unit ? await listSeedAddresses(staff, unit.id) : [];
    return data({ user: { email: staff.email, role: staff.role }, units, unit: unit ?? null, addresses }, { headers: { "Cache-Control": "no-store" } });
  });
}

const NOT_UNDERSTOOD = "That request was not understood. Reload the page and try again.";
const SeedAction = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("add"), unitId: z.coerce.number().int().positive(), email: z.string().max(1000) }),
    z.object({ intent: z.literal("remove"), unitId: z.coerce.number().int().positive(), id: z.coerce.number().int().positive() }),
  ],
  { error: NOT_UNDERSTOOD },
);

type ActionAnswer = { error?: string; email?: string };

export async function action({ request }: ActionFunctionArgs) {
  return answering404(async () => {
    const staff = await requireStaff(request);
    const parsed = await parseForm(request, SeedAction);
    if (!parsed.ok) return data<ActionAnswer>({ error: NOT_UNDERSTOOD }, { status: 400 });
    const asked = parsed.value;
    try {
      if (asked.intent === "add") await addSeedAddress(staff, asked.unitId, asked.email);
      else await removeSeedAddress(staff, asked.unitId, asked.id);
    } catch (error) {
      if (error instanceof CampaignError) return data<ActionAnswer>({ error: error.message, email: asked.intent === "add" ? asked.email : undefined }, { status: 400 });
      throw error;
    }
    // Post, redirect, get: a reload does not post again.
    return redirect(`/campaigns/seeds?unit=${asked.unitId}`, 303);
  });
}

export default function SeedListPage() {
  const { user, units, unit, addresses } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  return (
    <StaffFrame user={user} title="Seed list">
      {unit === null ? (
        <p className="empty">You are not a member of any business unit yet. Ask an admin to add you to one.</p>
      ) : (
        <>
          <p>
            “Send a test to the seed list” sends a campaign’s test message to each of these addresses, up to {SEED_LIST_LIMIT} per unit. A test creates
            no delivery and changes nobody’s preferences. Merge fields show their fallback, as for a person without a name.
          </p>
          {units.length > 1 ? (
            <Form method="get" className="inline-form">
              <label htmlFor="unit">Business unit</label>{" "}
              <select id="unit" name="unit" defaultValue={unit.id}>
                {units.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.displayName}
                  </option>
                ))}
              </select>{" "}
              <button type="submit" className="button secondary">
                Show
              </button>
            </Form>
          ) : null}
          <h2>
            {unit.displayName}: {addresses.length} of {SEED_LIST_LIMIT}
          </h2>
          {addresses.length === 0 ? (
            <p className="empty">No addresses yet.</p>
          ) : (
            <ul className="seed-list" data-testid="seed-list">
              {addresses.map((address) => (
                <li key={address.id}>
                  <span>{address.email}</span>{" "}
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="unitId" value={unit.id} />
                    <input type="hidden" name="id" value={address.id} />
                    <button type="submit" name="intent" value="remove" className="button secondary" aria-label={`Remove ${address.email}`}>
                      Remove
                    </button>
                  </Form>
                </li>
              ))}
            </ul>
          )}
          {/* noValidate: the server checks the address and says what is wrong next to the field. */}
          <Form method="post" noValidate>
            <input type="hidden" name="unitId" value={unit.id} />
            <div className={`field${answer?.error ? " has-error" : ""}`}>
              <label htmlFor="email">Add an address</label>
              <input
                id="email"
                name="email"
                type="email"
                defaultValue={answer?.email ?? ""}
                autoComplete="off"
                aria-invalid={answer?.error ? true : undefined}
                aria-describedby={answer?.error ? "email-error" : undefined}
              />
              {answer?.error ? (
                <p className="field-error" role="alert" id="email-error">
                  {answer.error}
                </p>
              ) : null}
            </div>
            <button type="submit" name="intent" value="add" className="button">
              Add to the seed list
            </button>
          </Form>
          <p>
            <Link to="/campaigns">Back to campaigns</Link>
          </p>
        </>
      )}
    </StaffFrame>
  );
}
