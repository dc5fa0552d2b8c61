import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { answering404, requireAdmin } from "~/utils/permissions.server.ts";
import { staffActor } from "~/domain/audit/audit.server.ts";
import { CHANNEL_LABEL } from "~/domain/consent/channels.ts";
import { testUnitDkim, unitForAdmin, updateUnit, type DkimTestOutcome } from "~/domain/units/unit-admin.server.ts";
import { UnitForm } from "~/domain/units/unit-settings.server.ts";
import { EXEMPT_CLASS_LABEL } from "~/domain/transactional/exempt-categories.server.ts";
import { Breadcrumbs, ChoiceGroup, NoticeBanner, TableScroll, TextAreaField } from "~/components/admin-units.tsx";
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

// /admin/units/<slug>: a unit's settings, its DKIM record and test, its topics and its exempt
// categories. The slug never changes; the DKIM private key is never sent to the page.

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
    const { unit, dkimKey, missing, readiness, topics, categories } = await unitForAdmin(params.slug ?? "");
    const notice = new URL(request.url).searchParams.get("notice");
    const now = new Date();
    const [standing, feedbackChart] = await Promise.all([unitStanding(unit.id, now), unitFeedbackByDay(unit.id, now)]);
    return data(
      {
        user: { email: staff.email, role: staff.role },
        unit,
        dkimKey,
        missing,
        readiness,
        topics,
        categories,
        legalClassLabels: EXEMPT_CLASS_LABEL,
        notice,
        feedback: { ...standing, chart: feedbackChart },
      },
      { headers: NO_STORE },
    );
  });
}

const NOT_UNDERSTOOD = "That request was not understood. Reload the page and try again.";
const DkimTestRequest = z.object({
  intent: z.literal("dkim-test"),
  against: z.enum(["published", "pasted"], { error: "Choose what to verify the signature against." }),
  publicKey: z.string().max(10_000).default(""),
});
// Built when a form comes in: UnitForm lives in a server module, which the browser bundle does not have.
const unitRequest = () => z.discriminatedUnion("intent", [UnitForm.extend({ intent: z.literal("save") }), DkimTestRequest], { error: NOT_UNDERSTOOD });

type Answer =
  | ({ kind: "save" } & ReturnType<typeof unsavedUnitForm>)
  | { kind: "dkim-test"; outcome: DkimTestOutcome; against: string; publicKey: string }
  | { kind: "bad-request"; message: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  return answering404(async () => {
    const staff = await requireAdmin(request);
    const slug = params.slug ?? "";
    const actor = staffActor(staff, requesterOf(request, context));
    const parsed = await parseForm(request, unitRequest());
    if (!parsed.ok) {
      if (parsed.errors.intent) return data<Answer>({ kind: "bad-request", message: NOT_UNDERSTOOD }, { status: 400, headers: NO_STORE });
      if (parsed.values.intent === "dkim-test") {
        const message = Object.values(parsed.errors)[0];
        return data<Answer>({ kind: "dkim-test", outcome: { ok: false, field: "form", message }, against: "", publicKey: "" }, { status: parsed.status, headers: NO_STORE });
      }
      return data<Answer>({ kind: "save", ...unsavedUnitForm(parsed.values, parsed.errors) }, { status: parsed.status, headers: NO_STORE });
    }

    if (parsed.value.intent === "dkim-test") {
      const { against, publicKey } = parsed.value;
      const outcome = await testUnitDkim(actor, slug, { against, publicKey });
      return data<Answer>({ kind: "dkim-test", outcome, against, publicKey }, { status: outcome.ok ? 200 : 400, headers: NO_STORE });
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
  const { user, unit, dkimKey, missing, readiness, topics, categories, legalClassLabels, notice, feedback } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const saveAnswer = answer?.kind === "save" ? answer : null;
  const test = answer?.kind === "dkim-test" ? answer : null;
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
        <a href="#dkim">DKIM record and test</a>
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

      <section id="dkim" aria-labelledby="dkim-heading" className="unit-section staff-panel">
        <h2 id="dkim-heading">DKIM record and test</h2>
        {!dkimKey ? (
          <p>No DKIM key is stored for this unit. Paste a private key and a selector in the settings above and save; the DNS record to publish then appears here.</p>
        ) : !dkimKey.record ? (
          <p>A key is stored but it has no selector: enter the selector in the settings above and save.</p>
        ) : (
          <>
            <p>Publish this TXT record in the DNS of {unit.dkimDomain || unit.sendingDomain}. It holds the public key that belongs to the stored private key.</p>
            <dl className="dns-record">
              <dt>Name</dt>
              <dd>
                <code>{dkimKey.record.name}</code>
              </dd>
              <dt>Type</dt>
              <dd>TXT</dd>
              <dt>Value</dt>
              <dd>
                <code className="txt-value">{dkimKey.record.value}</code>
              </dd>
            </dl>
            <p className="hint">As a zone-file line (a value longer than 255 characters is split into quoted strings; most DNS providers split it for you):</p>
            <pre className="zone-line">{dkimKey.record.zoneLine}</pre>
          </>
        )}
        <Form method="post" className="dkim-test" noValidate>
          <input type="hidden" name="intent" value="dkim-test" />
          <ChoiceGroup legend="Test DKIM: sign a sample message with the stored key, then verify it against" id="field-against">
            <label className="choice">
              <input type="radio" name="against" value="published" defaultChecked={test?.against !== "pasted"} />
              <span>
                The TXT record shown above <small>Checks the stored key and the record to publish.</small>
              </span>
            </label>
            <label className="choice">
              <input type="radio" name="against" value="pasted" defaultChecked={test?.against === "pasted"} />
              <span>
                A public key I paste below <small>For example the TXT value DNS holds now (dig TXT {dkimKey?.record?.name ?? "<selector>._domainkey.<domain>"}).</small>
              </span>
            </label>
          </ChoiceGroup>
          <TextAreaField
            label="Public key to verify against"
            name="publicKey"
            defaultValue={test?.publicKey ?? ""}
            error={test && !test.outcome.ok && test.outcome.field === "publicKey" ? test.outcome.message : null}
            rows={4}
            monospace
            hint="The TXT value (v=DKIM1; k=rsa; p=…), the p= value alone, or a PEM public key. Only used with the second choice."
          />
          <div className="form-actions">
            <button type="submit" className="button secondary">
              Test DKIM
            </button>
          </div>
        </Form>
        {test && (test.outcome.ok || test.outcome.field === "form") ? (
          <div className={`form-message ${test.outcome.ok && test.outcome.pass ? "success" : "error"} dkim-result`} role="status" data-testid="dkim-result">
            <p>{test.outcome.message}</p>
          </div>
        ) : null}
      </section>
      <UnitFeedbackSection unitName={unit.displayName} figures={feedback.figures} standing={feedback.complaints} chart={feedback.chart} />
    </StaffFrame>
  );
}
