import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { answering404, requireStaff } from "~/utils/permissions.server.ts";
import { EXPORT_CHANNELS } from "~/domain/contact-lists/list-channels.ts";
import {
  ContactListError,
  exportableLists,
  findContactList,
  sizeOfContactList,
  type ContactList,
  type ContactListSize,
} from "~/domain/contact-lists/contact-lists.server.ts";
import { CHANNEL_LABEL } from "~/domain/consent/channels.ts";
import { FormMessage } from "~/components/account-ui.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import contactListsStyles from "~/styles/contact-lists.css";

// /contacts/export: pick one of your units' postal or phone lists, see how many people are on
// it and how many lack the address or number, then download it (a POST: it writes the ledger).

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: contactListsStyles },
];
export const meta: MetaFunction = () => [{ title: "Postal and phone lists — Preference Center" }, { name: "robots", content: "noindex" }];
export const headers = passThroughHeaders;

// The picker's one value, "unit-slug/topic-slug/CHANNEL": a single select works without JavaScript.
const ListChoice = z
  .string()
  .max(300)
  .regex(/^[^/]+\/[^/]+\/(POSTAL|PHONE)$/, "Pick a list from the menu.")
  .transform((value) => {
    const [unit, topic, channel] = value.split("/");
    return { unit, topic, channel: channel as (typeof EXPORT_CHANNELS)[number] };
  });

const listValue = (list: Pick<ContactList, "unit" | "topic" | "channel">) => `${list.unit.slug}/${list.topic.slug}/${list.channel}`;

type Selected = { list: ContactList; size: ContactListSize } | { error: string } | null;

export async function loader({ request }: LoaderFunctionArgs) {
  return answering404(async () => {
    const staff = await requireStaff(request);
    const units = await exportableLists(staff);
    const asked = new URL(request.url).searchParams.get("list");
    let selected: Selected = null;
    let status = 200;
    if (asked !== null) {
      const parsed = ListChoice.safeParse(asked);
      if (!parsed.success) {
        selected = { error: parsed.error.issues[0].message };
        status = 400;
      } else {
        try {
          const list = await findContactList(staff, parsed.data);
          selected = { list, size: await sizeOfContactList(list) };
        } catch (error) {
          if (!(error instanceof ContactListError)) throw error;
          selected = { error: error.message };
          status = 400;
        }
      }
    }
    return data(
      { user: { email: staff.email, role: staff.role }, units, selected },
      { status, headers: { "Cache-Control": "no-store" } },
    );
  });
}

export default function ContactExportRoute() {
  const { user, units, selected } = useLoaderData<typeof loader>();
  const anyLists = units.some((u) => u.lists.length > 0);
  const current = selected && "list" in selected ? listValue(selected.list) : undefined;
  return (
    <StaffFrame user={user} title="Postal and phone lists">
      <p className="lede">
        The people who may get postal mail or a phone call about a topic, under the same rules as email: subscribed on that
        channel, consent not expired, not opted out of the unit or everywhere, not paused. Each download is recorded in the
        consent ledger under your name.
      </p>

      {units.length === 0 ? (
        <FormMessage tone="info">
          <p>You are not a member of any business unit yet. Ask an admin to add you to one.</p>
        </FormMessage>
      ) : !anyLists ? (
        <FormMessage tone="info">
          <p>None of your units’ topics is offered by postal mail or phone, so there is no list to export.</p>
        </FormMessage>
      ) : (
        <form method="get" className="staff-panel export-picker">
          <label htmlFor="list">List</label>
          <select id="list" name="list" defaultValue={current} required>
            {units
              .filter((u) => u.lists.length > 0)
              .map(({ unit, lists }) => (
                <optgroup key={unit.slug} label={unit.displayName}>
                  {lists.map((list) => (
                    <option key={listValue(list)} value={listValue(list)}>
                      {list.topic.name} — {CHANNEL_LABEL[list.channel].toLowerCase()}
                    </option>
                  ))}
                </optgroup>
              ))}
          </select>
          <button type="submit" className="button secondary">
            Show list
          </button>
        </form>
      )}

      {selected && "error" in selected ? (
        <FormMessage tone="error">
          <p>{selected.error}</p>
        </FormMessage>
      ) : null}
      {selected && "list" in selected ? <ListSummary list={selected.list} size={selected.size} /> : null}
    </StaffFrame>
  );
}

function ListSummary({ list, size }: { list: ContactList; size: ContactListSize }) {
  const channel = list.channel === "POSTAL" ? "postal mail" : "a phone call";
  const detail = list.channel === "POSTAL" ? "postal address" : "phone number";
  const people = (n: number) => `${n.toLocaleString("en-GB")} ${n === 1 ? "person" : "people"}`;
  return (
    <section className="staff-panel export-summary" aria-labelledby="list-heading">
      <h2 id="list-heading">
        {list.unit.displayName}: {list.topic.name}, {CHANNEL_LABEL[list.channel].toLowerCase()}
      </h2>
      <p>
        {people(size.mayBeContacted)} may get {channel} from {list.unit.displayName} about {list.topic.name}.
      </p>
      {size.missingDetail > 0 ? (
        <p>
          {size.missingDetail.toLocaleString("en-GB")} of them {size.missingDetail === 1 ? "has" : "have"} no {detail} on file and{" "}
          {size.missingDetail === 1 ? "is" : "are"} left out of the file.
        </p>
      ) : null}
      <p>
        The file has {size.rows.toLocaleString("en-GB")} {size.rows === 1 ? "row" : "rows"}: name, email, {detail}, consent basis,
        when consent was given and when it expires. Cells that a spreadsheet would run as a formula start with an apostrophe.
      </p>
      {/* A plain form, not Remix's: the answer is a file download, not a page. */}
      <form method="post" action="/contacts/export/csv">
        <input type="hidden" name="unit" value={list.unit.slug} />
        <input type="hidden" name="topic" value={list.topic.slug} />
        <input type="hidden" name="channel" value={list.channel} />
        <button type="submit" className="button" disabled={size.rows === 0}>
          Download CSV
        </button>
      </form>
    </section>
  );
}
