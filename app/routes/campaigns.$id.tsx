import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { topicsLabel } from "~/domain/campaigns/topics-label.ts";
import { Form, Link, useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { z } from "zod";
import { answering404, notFound, requireStaff } from "~/utils/permissions.server.ts";
import {
  archiveDraft,
  duplicateCampaign,
  sentContent,
  stopCampaign,
  campaignReport,
  CampaignError,
  cancelSchedule,
  composerChoices,
  pauseCampaign,
  previewCampaign,
  resumeCampaign,
  findCampaign,
  scheduleCampaign,
  sendNow,
  sendNowConfirmation,
  sendTestMessage,
  updateDraft,
} from "~/domain/campaigns/campaigns.server.ts";
import { CampaignForm, campaignFormFields, composerAudienceValues, withCampaignFormIfGiven } from "~/domain/campaigns/campaign-form.ts";
import { SEED_LIST_LIMIT } from "~/domain/campaigns/seed-list.ts";
import { describeScheduledTime, instantOfWallTime, knownTimeZone, timeZoneChoices } from "~/domain/campaigns/schedule-time.ts";
import { CampaignComposer, type ComposerPreview, type FieldErrors } from "~/components/campaign-composer.tsx";
import { TimeZoneSelect } from "~/components/time-zone-select.tsx";
import { CampaignTimeline } from "~/components/campaign-timeline.tsx";
import { CampaignFeedbackBlock, ComplaintWarning } from "~/components/mail-feedback.tsx";
import { campaignFeedback } from "~/domain/feedback/rates.server.ts";
import { unitStanding } from "~/domain/feedback/guard-rails.server.ts";
import { CAMPAIGN_STATUS_LABEL } from "~/components/campaign-status.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import feedbackStyles from "~/styles/mail-feedback.css";
import { parseForm } from "~/utils/parse-form.server.ts";
import { UnsubscribeReasonCounts } from "~/components/unsubscribe-reasons.tsx";
import { requesterOf } from "~/utils/request.server.ts";

// /campaigns/<id>: a draft to edit, test, schedule or send; then its live progress; then its results.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
  { rel: "stylesheet", href: feedbackStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.report.campaign.subject} — Campaign` : "Campaign" }];

const campaignId = (params: LoaderFunctionArgs["params"]) => {
  const id = Number(params.id);
  return Number.isSafeInteger(id) && id > 0 ? id : notFound();
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  return answering404(async () => {
    const staff = await requireStaff(request);
    const report = await campaignReport(staff, campaignId(params));
    const draft = report.campaign.status === "DRAFT";
    // A scheduled campaign is edited in the composer too, until the sender takes it (ADR 052).
    const editable = (draft || report.campaign.status === "SCHEDULED") && !report.campaign.archivedAt;
    const units = editable ? await composerChoices(staff) : [];
    // What went out, once it started: the email as the composer previews it.
    const sent = editable || draft ? null : await sentContent(staff, report.campaign.id);
    const { scheduledAt, scheduleTimeZone } = report.campaign;
    const schedule = scheduledAt ? describeScheduledTime(scheduledAt, scheduleTimeZone) : null;
    // What came back, and the unit's complaint standing (a warning here, on the composer too).
    const feedback = draft || report.campaign.status === "SCHEDULED" ? null : await campaignFeedback(report.campaign.id);
    const { complaints } = await unitStanding(report.campaign.unitId, new Date());
    return data(
      { user: { email: staff.email, role: staff.role }, report, units, schedule, timeZones: draft ? timeZoneChoices() : [], feedback, complaints, editable, sent },
      { headers: { "Cache-Control": "no-store" } },
    );
  });
}

const NOT_UNDERSTOOD = "That request was not understood. Reload the page and try again.";
// What each button asks. Saving, previewing and confirming carry the composer's form; test, send
// and schedule may (they save it first); cancel, pause and resume carry nothing else.
const CampaignAction = z.discriminatedUnion(
  "intent",
  [
    CampaignForm.extend({ intent: z.enum(["save", "preview", "confirm-send"]) }).transform(({ intent, ...input }) => ({ intent, input })),
    withCampaignFormIfGiven({ intent: z.enum(["test", "test-seeds", "send"]) }),
    withCampaignFormIfGiven({
      intent: z.literal("schedule"),
      scheduledAt: z.string({ error: "Choose a date and time to send it." }).optional(),
      timeZone: z.string({ error: "Choose a time zone from the list." }).optional(),
    }),
    z.object({ intent: z.enum(["cancel", "pause", "resume", "stop", "duplicate", "archive"]) }),
  ],
  { error: NOT_UNDERSTOOD },
);

/** What "Send now" will send, shown for the marketer to confirm; `fields` are carried to the send as they are. */
type SendConfirmation = { unitName: string; topicName: string; subject: string; preheader: string; audience: number; html: string; fields: Record<string, string> };
type ActionAnswer = {
  errors?: FieldErrors;
  preview?: ComposerPreview | null;
  values?: Record<string, unknown>;
  notice?: string;
  error?: string;
  confirmation?: SendConfirmation;
};

export async function action({ request, params, context }: ActionFunctionArgs) {
  return answering404(async () => {
    const staff = await requireStaff(request);
    const id = campaignId(params);
    const parsed = await parseForm(request, CampaignAction);
    // Another unit's campaign is not found, whatever is asked of it.
    await findCampaign(staff, id);
    if (!parsed.ok) {
      if (parsed.errors.intent) return data<ActionAnswer>({ error: NOT_UNDERSTOOD }, { status: 400 });
      return data<ActionAnswer>({ errors: parsed.errors, values: parsed.values }, { status: parsed.status });
    }
    const asked = parsed.value;
    const requester = requesterOf(request, context);
    // Every answer about the composer carries its fields back, so a page without JavaScript shows what was typed.
    const values = postedFields(asked);
    try {
      switch (asked.intent) {
        case "save":
          await updateDraft(staff, id, asked.input, requester);
          return data<ActionAnswer>({ notice: "Saved.", values });
        case "preview":
          return data<ActionAnswer>({ preview: await previewCampaign(staff, asked.input), values });
        case "test": {
          const { to } = await sendTestMessage(staff, id, asked.input, "me", requester);
          return data<ActionAnswer>({ notice: `A test message is on its way to ${to}. Its links change nobody's preferences.`, values });
        }
        case "test-seeds": {
          const { to } = await sendTestMessage(staff, id, asked.input, "seed list", requester);
          return data<ActionAnswer>({ notice: `Test messages are on their way to ${to}. Their links change nobody's preferences.`, values });
        }
        case "confirm-send": {
          const { unitName, topicName, subject, preheader, audience, html } = await sendNowConfirmation(staff, id, asked.input);
          return data<ActionAnswer>({ confirmation: { unitName, topicName, subject, preheader, audience, html, fields: campaignFormFields(asked.input) }, values });
        }
        case "send":
          await sendNow(staff, id, asked.input, new Date(), requester);
          return data<ActionAnswer>({ notice: "Sending has started." });
        case "schedule": {
          const when = scheduledTime(asked);
          if (!when.ok) return data<ActionAnswer>({ errors: when.errors, values }, { status: 400 });
          await scheduleCampaign(staff, id, when.at, new Date(), { input: asked.input, timeZone: when.timeZone, requester });
          return data<ActionAnswer>({ notice: "Scheduled." });
        }
        case "cancel":
          await cancelSchedule(staff, id, requester);
          return data<ActionAnswer>({ notice: "The schedule is cancelled; the campaign is a draft again." });
        case "pause":
          await pauseCampaign(staff, id, requester);
          return data<ActionAnswer>({ notice: "Paused. Messages already handed over still arrive." });
        case "resume":
          await resumeCampaign(staff, id, requester);
          return data<ActionAnswer>({ notice: "Resumed." });
        case "stop":
          await stopCampaign(staff, id, new Date(), requester);
          return data<ActionAnswer>({ notice: "Stopped for good. Messages already handed over still arrive; nothing else is sent." });
        case "duplicate": {
          const copy = await duplicateCampaign(staff, id, requester);
          return redirect(`/campaigns/${copy.id}`, 303);
        }
        case "archive":
          await archiveDraft(staff, id, new Date(), requester);
          return data<ActionAnswer>({ notice: "Archived. The library hides it unless you show archived drafts." });
      }
    } catch (error) {
      if (error instanceof CampaignError) {
        return data<ActionAnswer>(error.field ? { errors: { [error.field]: error.message }, values } : { error: error.message, values }, { status: 400 });
      }
      throw error;
    }
  });
}

/** The request as posted, drawn again on the page so that one without JavaScript shows what was typed. */
function postedFields(asked: z.output<typeof CampaignAction>): Record<string, string> {
  const fields: Record<string, string> = { intent: asked.intent, ...("input" in asked && asked.input ? campaignFormFields(asked.input) : {}) };
  if (asked.intent === "schedule") {
    if (asked.scheduledAt !== undefined) fields.scheduledAt = asked.scheduledAt;
    if (asked.timeZone !== undefined) fields.timeZone = asked.timeZone;
  }
  return fields;
}

/** The instant the marketer means: the date and time on the clock of the zone they send (the browser's, or the one they chose; UTC without one). */
function scheduledTime({ scheduledAt: local = "", timeZone: zone = "UTC" }: { scheduledAt?: string; timeZone?: string }): { ok: true; at: Date; timeZone: string } | { ok: false; errors: FieldErrors } {
  const timeZone = knownTimeZone(zone);
  if (!timeZone) return { ok: false, errors: { timeZone: "Choose a time zone from the list." } };
  const instant = instantOfWallTime(local, timeZone);
  if (instant.ok) return { ok: true, at: instant.at, timeZone };
  if (instant.reason === "skipped") {
    return { ok: false, errors: { scheduledAt: `${local.replace("T", " ")} does not exist in ${timeZone}: the clocks go forward then. Choose another time.` } };
  }
  return { ok: false, errors: { scheduledAt: "Choose a date and time to send it." } };
}

const number = (n: number) => n.toLocaleString("en-GB");

export default function CampaignPage() {
  const { user, report, units, schedule, timeZones, feedback, complaints, editable, sent } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const { campaign, counts } = report;
  const revalidator = useRevalidator();
  const sending = campaign.status === "SENDING";
  useEffect(() => {
    if (!sending) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 2000);
    return () => clearInterval(timer);
  }, [sending, revalidator]);

  const v = answer?.values ?? {};
  const errors = answer?.errors ?? {};
  const confirmation = campaign.status === "DRAFT" ? answer?.confirmation : undefined;
  const scheduled = campaign.status === "SCHEDULED";
  const running = sending || campaign.status === "PAUSED";
  return (
    <StaffFrame user={user} title={campaign.subject}>
      {/* Without JavaScript the progress still moves: the page reloads itself while sending. With it, the
          revalidator above polls instead, and the page keeps its scroll position (noscript is inert then). */}
      {sending ? (
        <noscript>
          <meta httpEquiv="refresh" content="5" />
        </noscript>
      ) : null}
      <p className="campaign-meta">
        <span className={`status-badge status-${campaign.status.toLowerCase()}`}>{CAMPAIGN_STATUS_LABEL[campaign.status]}</span> {campaign.unit.displayName} ·{" "}
        {topicsLabel(campaign)} · <Link to="/campaigns">All campaigns</Link>
        {campaign.archivedAt ? " · Archived" : null}
      </p>
      <div className="campaign-actions">
        <Form method="post">
          <button type="submit" name="intent" value="duplicate" className="button secondary">
            Duplicate as a new draft
          </button>
        </Form>
        {campaign.status === "DRAFT" && !campaign.archivedAt ? (
          <Form method="post">
            <button type="submit" name="intent" value="archive" className="button secondary">
              Archive this draft
            </button>
          </Form>
        ) : null}
      </div>
      {answer?.notice ? (
        <div className="form-message success" role="status">
          <p>{answer.notice}</p>
        </div>
      ) : null}
      {answer?.error ? (
        <div className="form-message error" role="alert">
          <p>{answer.error}</p>
        </div>
      ) : null}
      {campaign.status === "PAUSED" ? (
        // A pause is a state to act on, not an error: why it paused, and what the marketer can do.
        <div className="form-message info" role="status" data-testid="paused-notice">
          <p>
            <strong>Paused.</strong> {campaign.pausedReason ?? "Nothing more is sent while it is paused."}
          </p>
          <p>Resume to send the rest, or stop it for good: a stopped campaign never sends again.</p>
        </div>
      ) : null}

      <ComplaintWarning standing={complaints} unitName={campaign.unit.displayName} resumable={campaign.status === "PAUSED"} />

      {confirmation ? <ConfirmSend confirmation={confirmation} /> : null}

      {editable && !confirmation ? (
        <CampaignComposer
          units={units}
          values={{
            unitId: Number(v.unitId ?? campaign.unitId),
            topicId: Number(v.topicId ?? campaign.topicId),
            subject: String(v.subject ?? campaign.subject),
            preheader: String(v.preheader ?? campaign.preheader),
            bodyMarkdown: String(v.bodyMarkdown ?? campaign.bodyMarkdown),
            advertisementLabel: v.intent ? v.advertisementLabel === "on" : campaign.advertisementLabel,
            ...composerAudienceValues(v, campaign),
            previewAs: String(v.previewAs ?? ""),
          }}
          preview={answer?.preview ?? null}
          errors={errors}
          submitLabel={scheduled ? "Save changes" : "Save draft"}
          sendActions={
            scheduled ? undefined : (
            <fieldset className="send-fieldset">
              <legend>Send</legend>
              <p className="hint">Test, send or schedule the campaign as it stands in this form. Sending or scheduling it saves it.</p>
              <div className="send-actions">
                <button type="submit" name="intent" value="test" className="button secondary">
                  Send a test to me
                </button>
                <button type="submit" name="intent" value="test-seeds" className="button secondary">
                  Send a test to the seed list
                </button>
                <button type="submit" name="intent" value="confirm-send" className="button">
                  Send now…
                </button>
              </div>
              <p className="hint">
                <Link to={`/campaigns/seeds?unit=${campaign.unitId}`}>The unit's seed list</Link>: up to {SEED_LIST_LIMIT} addresses that get test messages.
              </p>
              <div className="schedule-fields">
                <div className={`field${errors.scheduledAt ? " has-error" : ""}`}>
                  <label htmlFor="scheduledAt">Send at</label>
                  <input
                    id="scheduledAt"
                    name="scheduledAt"
                    type="datetime-local"
                    defaultValue={typeof v.scheduledAt === "string" ? v.scheduledAt : undefined}
                    aria-invalid={errors.scheduledAt ? true : undefined}
                    aria-describedby={errors.scheduledAt ? "scheduledAt-error" : undefined}
                  />
                </div>
                <div className={`field${errors.timeZone ? " has-error" : ""}`}>
                  <label htmlFor="timeZone">Time zone</label>
                  <TimeZoneSelect zones={timeZones} chosen={typeof v.timeZone === "string" ? v.timeZone : null} describedBy={errors.timeZone ? "timeZone-error" : "timeZone-hint"} />
                </div>
                <button type="submit" name="intent" value="schedule" className="button secondary">
                  Schedule
                </button>
              </div>
              <p className="hint" id="timeZone-hint">
                The time is read on the clock of the chosen zone; your browser chooses its own. Without JavaScript it is UTC unless you choose another.
              </p>
              {errors.scheduledAt ? (
                <p className="field-error" role="alert" id="scheduledAt-error">
                  {errors.scheduledAt}
                </p>
              ) : null}
              {errors.timeZone ? (
                <p className="field-error" role="alert" id="timeZone-error">
                  {errors.timeZone}
                </p>
              ) : null}
            </fieldset>
            )
          }
        />
      ) : null}

      {campaign.status === "SCHEDULED" ? (
        <section className="staff-panel">
          <p className="hint">You can edit it above until it starts; then it can only be paused or stopped.</p>
          <p data-testid="schedule">
            Scheduled for <strong>{schedule ? `${schedule.local} (${schedule.zone.replace(/_/g, " ")})` : "—"}</strong>
            {schedule && schedule.zone !== "UTC" ? <>, which is {schedule.utc} UTC</> : null}.
          </p>
          <Form method="post">
            <button type="submit" name="intent" value="cancel" className="button secondary">
              Cancel the schedule
            </button>
          </Form>
        </section>
      ) : null}

      {campaign.status !== "DRAFT" && campaign.status !== "SCHEDULED" ? (
        <section className="staff-panel" aria-labelledby="progress-heading">
          <h2 id="progress-heading">{running ? "Progress" : "Results"}</h2>
          {campaign.status === "STOPPED" ? (
            <p data-testid="stopped-note">
              Stopped for good{campaign.stoppedAt ? ` on ${new Date(campaign.stoppedAt).toISOString().slice(0, 16).replace("T", " ")} UTC` : ""}: {number(counts.sent)}{" "}
              {counts.sent === 1 ? "message was" : "messages were"} sent, and {number(report.neverSent ?? 0)} {report.neverSent === 1 ? "person" : "people"} will never get it.
            </p>
          ) : null}
          <dl className="campaign-figures">
            <Figure label="Sent" value={number(counts.sent)} />
            {report.neverSent !== null ? <Figure label="Never sent (stopped)" value={number(report.neverSent)} /> : null}
            <Figure label="Failed" value={number(counts.failed)} />
            <Figure label="Skipped (consent changed)" value={number(counts.skipped)} />
            <Figure label="Left out by “send me less”" value={number(report.leftOutByFrequency)} />
            {sending || campaign.status === "PAUSED" ? (
              <>
                <Figure label="Still to go (at most)" value={counts.remaining === null ? "—" : number(counts.remaining)} />
                <Figure label="Rate" value={`${number(Math.round(report.ratePerSecond))}/s`} />
                <Figure label="Time left" value={report.etaSeconds === null ? "—" : formatDuration(report.etaSeconds)} />
              </>
            ) : null}
            <Figure label="Unsubscribed from this campaign" value={number(report.unsubscribes)} />
            <Figure label="Unsubscribe rate" value={`${(report.unsubscribeRate * 100).toFixed(2)}%`} />
          </dl>
          <UnsubscribeReasonCounts counts={report.unsubscribeReasons} id="campaign-reasons" />
          {sending || campaign.status === "PAUSED" ? (
            <p className="hint" data-testid="progress-note">
              {counts.audience === null
                ? "Still to go is not known for this campaign: its audience was not counted when it started."
                : `Counted when sending started: ${number(counts.audience)} ${counts.audience === 1 ? "person" : "people"}. Anyone who opts out since is skipped, so fewer may remain than shown.`}{" "}
              The rate is over the last minute.
            </p>
          ) : null}
          {sending ? (
            <Form method="post">
              <button type="submit" name="intent" value="pause" className="button secondary">
                Pause
              </button>
            </Form>
          ) : null}
          {campaign.status === "PAUSED" ? (
            <Form method="post">
              <button type="submit" name="intent" value="resume" className="button">
                Resume
              </button>
            </Form>
          ) : null}
          {running ? (
            <Form method="post" className="stop-form">
              <p className="hint">Stopping is for good: what has not been sent yet is never sent, and the campaign cannot be resumed.</p>
              <button type="submit" name="intent" value="stop" className="button secondary">
                Stop for good
              </button>
            </Form>
          ) : null}
          {report.timeline ? <CampaignTimeline points={report.timeline} /> : <p className="hint">The timeline is drawn once the campaign has finished.</p>}
        </section>
      ) : null}
      {feedback ? <CampaignFeedbackBlock figures={feedback} /> : null}
      {sent ? <SentContent content={sent} /> : null}
    </StaffFrame>
  );
}

/** The email as it went out, drawn as the composer previews it: its links act for nobody (invariant 10). */
function SentContent({ content }: { content: { subject: string; preheader: string; html: string | null } }) {
  return (
    <section className="staff-panel" aria-labelledby="sent-content-heading">
      <h2 id="sent-content-heading">What was sent</h2>
      <dl className="confirm-facts">
        <div>
          <dt>Subject</dt>
          <dd data-testid="sent-subject">{content.subject}</dd>
        </div>
        {content.preheader ? (
          <div>
            <dt>Preheader</dt>
            <dd>{content.preheader}</dd>
          </div>
        ) : null}
      </dl>
      {content.html ? (
        // No allow-scripts, no allow-same-origin: the frame runs nothing and reaches nothing of the page.
        <iframe title="The email as sent (HTML)" sandbox="" srcDoc={content.html} className="preview-frame" />
      ) : (
        <p className="hint">The email cannot be drawn now: its unit lacks a sender detail it had when it was sent.</p>
      )}
    </section>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** "Send now", restated: what goes, from which unit, on which topic, to how many people now. Nothing is sent until confirmed here. */
function ConfirmSend({ confirmation }: { confirmation: SendConfirmation }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="staff-panel confirm-send" aria-labelledby="confirm-heading">
      <h2 id="confirm-heading" tabIndex={-1} ref={heading}>
        Send this campaign now?
      </h2>
      <dl className="confirm-facts">
        <div>
          <dt>Business unit</dt>
          <dd data-testid="confirm-unit">{confirmation.unitName}</dd>
        </div>
        <div>
          <dt>Topic</dt>
          <dd data-testid="confirm-topic">{confirmation.topicName}</dd>
        </div>
        <div>
          <dt>Subject</dt>
          <dd data-testid="confirm-subject">{confirmation.subject}</dd>
        </div>
        {confirmation.preheader ? (
          <div>
            <dt>Preheader</dt>
            <dd>{confirmation.preheader}</dd>
          </div>
        ) : null}
        <div>
          <dt>Audience now</dt>
          <dd>
            <span data-testid="confirm-audience">{number(confirmation.audience)}</span> {confirmation.audience === 1 ? "person" : "people"}
          </dd>
        </div>
      </dl>
      <p className="hint">This is the email as it will be sent. Sending it saves the draft as shown; it cannot be called back, only paused.</p>
      {/* No allow-scripts: the marketer's HTML is sanitised, and the frame could not run script anyway. */}
      <iframe title="Email to be sent (HTML)" sandbox="" srcDoc={confirmation.html} className="preview-frame" />
      <Form method="post" className="form-actions">
        {Object.entries(confirmation.fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <button type="submit" name="intent" value="send" className="button">
          Send to {number(confirmation.audience)} {confirmation.audience === 1 ? "person" : "people"} now
        </button>
        <button type="submit" name="intent" value="preview" className="button secondary">
          Keep editing
        </button>
      </Form>
    </section>
  );
}
