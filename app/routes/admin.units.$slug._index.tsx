import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { answering404, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { CHANNEL_LABEL } from "~/domain/consent/channels.ts";
import { feedbackLoopAddress } from "~/domain/feedback/addresses.server.ts";
import { checkUnitSenderDns, type SenderDnsReport } from "~/domain/units/sender-dns.server.ts";
import { unitForAdmin, updateUnit } from "~/domain/units/unit-admin.server.ts";
import { UnitForm } from "~/domain/units/unit-settings.server.ts";
import { EXEMPT_CLASS_LABEL } from "~/domain/transactional/exempt-categories.server.ts";
import { Breadcrumbs, NoticeBanner, TableScroll } from "~/components/admin-units.tsx";
import { SenderDnsSection } from "~/components/sender-dns.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import { UnitFeedbackSection } from "~/components/mail-feedback.tsx";
import { unitFeedbackByDay } from "~/domain/feedback/rates.server.ts";
import { unitStanding } from "~/domain/feedback/guard-rails.server.ts";
import { UnitSettingsForm, unsavedUnitForm, type UnitFormValues } from "~/components/unit-settings-form.tsx";
import { parseForm } from "~/utils/parse-form.server.ts";
import { formatDay } from "~/utils/format.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { passThroughHeaders } from "~/utils/route-headers.ts";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import unitsStyles from "~/styles/admin-units.css";
import feedbackStyles from "~/styles/mail-feedback.css";
import { UnsubscribeReasonCounts } from "~/components/unsubscribe-reasons.tsx";
import { countUnsubscribeReasons } from "~/domain/unsubscribe/reasons.server.ts";

// /admin/units/<slug>: a unit's settings, the DNS records its domains publish (checked on
// request), its topics and its exempt categories. The slug never changes; the DKIM private key
// is never sent to the page.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: unitsStyles },
  { rel: "stylesheet", href: feedbackStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.unit.displayName ?? "Unit"} — Preference Center` },
  { name: "robots", content: "noindex" },
];
export const headers = passThroughHeaders;

const NO_STORE = { "Cache-Control": "no-store" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  return answering404(async () => {
    const staff = await requireAdmin(request);
    const { unit, dkimKey, dns, missing, readiness, topics, categories } = await unitForAdmin(params.slug ?? "");
    const notice = new URL(request.url).searchParams.get("notice");
    const now = new Date();
    const [standing, feedbackChart, unsubscribeReasons] = await Promise.all([unitStanding(unit.id, now), unitFeedbackByDay(unit.id, now), countUnsubscribeReasons({ unitId: unit.id })]);
    return data(
      {
        user: { email: staff.email, role: staff.role },
        unit,
        dkimKey,
        dns: { ...dns, feedbackLoopAddress: feedbackLoopAddress(dns.bounceDomain) },
        missing,
        readiness,
        topics,
        categories,
        legalClassLabels: EXEMPT_CLASS_LABEL,
        notice,
        feedback: { ...standing, chart: feedbackChart },
        unsubscribeReasons,
      },
      { headers: NO_STORE },
    );
  });
}

const NOT_UNDERSTOOD = "That request was not understood. Reload the page and try again.";
const DnsCheckRequest = z.object({ intent: z.literal("dns-check") });
// Built when a form comes in: UnitForm lives in a server module, which the browser bundle does not have.
const unitRequest = () => z.discriminatedUnion("intent", [UnitForm.extend({ intent: z.literal("save") }), DnsCheckRequest], { error: NOT_UNDERSTOOD });

type Answer =
  | ({ kind: "save" } & ReturnType<typeof unsavedUnitForm>)
  | { kind: "dns-check"; report: SenderDnsReport }
  | { kind: "bad-request"; message: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  return answering404(async () => {
    const staff = await requireAdmin(request);
    const slug = params.slug ?? "";
    const actor = staffActor(staff, requesterOf(request, context));
    const parsed = await parseForm(request, unitRequest());
    if (!parsed.ok) {
      if (parsed.errors.intent) return data<Answer>({ kind: "bad-request", message: NOT_UNDERSTOOD }, { status: 400, headers: NO_STORE });
      if (parsed.values.intent === "dns-check") return data<Answer>({ kind: "bad-request", message: NOT_UNDERSTOOD }, { status: parsed.status, headers: NO_STORE });
      return data<Answer>({ kind: "save", ...unsavedUnitForm(parsed.values, parsed.errors) }, { status: parsed.status, headers: NO_STORE });
    }

    if (parsed.value.intent === "dns-check") {
      return data<Answer>({ kind: "dns-check", report: await checkUnitSenderDns(slug) }, { headers: NO_STORE });
    }

    const result = await updateUnit(actor, slug, parsed.value);
    if (result.ok) return redirect(`/admin/units/${slug}?notice=${result.changed.length > 0 ? "saved" : "unchanged"}`, { headers: NO_STORE });
    return data<Answer>({ kind: "save", ...unsavedUnitForm(parsed.value, result.errors) }, { status: 400, headers: NO_STORE });
  });
}

/** The stored settings as the form's strings. */
function formValues(unit: Record<string, unknown>): UnitFormValues {
  return Object.fromEntries(Object.entries(unit).map(([key, value]) => [key, typeof value === "string" ? value : ""]));
}

export default function UnitPage() {
  const { user, unit, dkimKey, dns, missing, readiness, topics, categories, legalClassLabels, notice, feedback, unsubscribeReasons } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const saveAnswer = answer?.kind === "save" ? answer : null;
  const dnsCheck = answer?.kind === "dns-check" ? answer.report : null;
  return (
    <StaffFrame user={user} title={unit.displayName}>
      <Breadcrumbs trail={[{ to: "/admin/units", label: "Units" }, { label: unit.displayName }]} />
      <p className="unit-summary">
        <span className="unit-swatch" style={{ background: unit.brandColor }} aria-hidden="true" />
        Slug <code>{unit.slug}</code> · created {formatDay(unit.createdAt)} ·{" "}
        {readiness === "needs-sender-facts" ? (
          <span className="readiness not-ready">cannot send yet: needs {missing.join(", ")}</span>
        ) : readiness === "needs-topic" ? (
          <span className="readiness not-ready">needs a topic before it can send</span>
        ) : (
          <span className="readiness ready">ready to send</span>
        )}
      </p>
      <NoticeBanner notice={notice} />
      {answer?.kind === "bad-request" ? (
        <div className="form-message error" role="alert">
          <p>{answer.message}</p>
        </div>
      ) : null}
      <nav aria-label="On this page" className="page-sections">
        <a href="#topics">Topics</a>
        <a href="#categories">Exempt categories</a>
        <a href="#settings">Settings</a>
        <a href="#dns">DNS records</a>
        <a href="#feedback">Mail feedback</a>
      </nav>

      <section id="topics" aria-labelledby="topics-heading" className="unit-section">
        <div className="section-head">
          <h2 id="topics-heading">Topics</h2>
          <Link to={`/admin/units/${unit.slug}/topics/new`} className="button secondary">
            Add a topic
          </Link>
        </div>
        <p className="hint">What people subscribe to, per channel. Archived topics take no new subscriptions or campaigns; their history stays.</p>
        {topics.length === 0 ? (
          <p className="empty">No topics yet. Campaigns are sent to a topic&apos;s subscribers, so add one before the first campaign.</p>
        ) : (
          <TableScroll label={`Topics of ${unit.displayName}`}>
            <table className="staff-table">
              <caption className="visually-hidden">Topics of {unit.displayName}</caption>
              <thead>
                <tr>
                  <th scope="col">Topic</th>
                  <th scope="col">Channels</th>
                  <th scope="col" className="number">
                    Subscribed
                  </th>
                  <th scope="col" className="number">
                    Campaigns
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {topics.map((topic) => (
                  <tr key={topic.id} className={topic.archivedAt ? "archived" : undefined}>
                    <td>
                      <Link to={`/admin/units/${unit.slug}/topics/${topic.slug}`}>{topic.name}</Link>
                      <div className="slug">{topic.slug}</div>
                    </td>
                    <td>{topic.channels.map((c) => CHANNEL_LABEL[c]).join(", ")}</td>
                    <td className="number">{topic.subscribed.toLocaleString("en-GB")}</td>
                    <td className="number">{topic.campaigns.toLocaleString("en-GB")}</td>
                    <td>{topic.archivedAt ? `Archived ${formatDay(topic.archivedAt)}` : "Open"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>

      <section aria-label="Unsubscribe answers" className="unit-section">
        <UnsubscribeReasonCounts counts={unsubscribeReasons} id="unit-reasons" />
      </section>

      <section id="categories" aria-labelledby="categories-heading" className="unit-section">
        <div className="section-head">
          <h2 id="categories-heading">Exempt categories</h2>
          <Link to={`/admin/units/${unit.slug}/categories/new`} className="button secondary">
            Add a category
          </Link>
        </div>
        <p className="hint">Transactional and relationship messages (renewals, tax notices, security alerts): never unsubscribable, and listed in the preference center with their reason.</p>
        {categories.length === 0 ? (
          <p className="empty">No exempt categories yet.</p>
        ) : (
          <TableScroll label={`Exempt categories of ${unit.displayName}`}>
            <table className="staff-table">
              <caption className="visually-hidden">Exempt categories of {unit.displayName}</caption>
              <thead>
                <tr>
                  <th scope="col">Category</th>
                  <th scope="col">Legal class</th>
                  <th scope="col" className="number">
                    Messages
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {categories.map((category) => (
                  <tr key={category.id} className={category.archivedAt ? "archived" : undefined}>
                    <td>
                      <Link to={`/admin/units/${unit.slug}/categories/${category.slug}`}>{category.name}</Link>
                      <div className="slug">{category.slug}</div>
                    </td>
                    <td>{legalClassLabels[category.legalClass]}</td>
                    <td className="number">{category.messages.toLocaleString("en-GB")}</td>
                    <td>{category.archivedAt ? `Archived ${formatDay(category.archivedAt)}` : "Open"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>

      <section id="settings" aria-labelledby="settings-heading" className="unit-section">
        <h2 id="settings-heading">Settings</h2>
        <UnitSettingsForm
          values={saveAnswer?.values ?? formValues(unit)}
          errors={saveAnswer?.errors ?? {}}
          creating={false}
          storedKey={dkimKey}
          keyWasPasted={saveAnswer?.keyWasPasted ?? false}
          attempt={saveAnswer?.attempt}
          submitLabel="Save settings"
        />
      </section>

      <SenderDnsSection bounceDomain={dns.bounceDomain} feedbackLoopAddress={dns.feedbackLoopAddress} mxHost={dns.mxHost} alignment={dns.alignment} records={dns.records} report={dnsCheck} />
      <UnitFeedbackSection unitName={unit.displayName} figures={feedback.figures} standing={feedback.complaints} chart={feedback.chart} />
    </StaffFrame>
  );
}
