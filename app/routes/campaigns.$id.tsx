import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { z } from "zod";
import { notFound, requireStaff } from "~/domain/accounts/staff.server.ts";
import {
  campaignReport,
  CampaignError,
  cancelSchedule,
  composerChoices,
  pauseCampaign,
  previewCampaign,
  resumeCampaign,
  scheduleCampaign,
  sendNow,
  sendTestMessage,
  updateDraft,
} from "~/domain/campaigns/campaigns.server.ts";
import { parseCampaignForm } from "~/domain/campaigns/campaign-form.ts";
import { CampaignComposer, type ComposerPreview, type FieldErrors } from "~/components/campaign-composer.tsx";
import { CampaignTimeline } from "~/components/campaign-timeline.tsx";
import { CAMPAIGN_STATUS_LABEL } from "~/components/campaign-status.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import { readForm } from "~/utils/read-form.server.ts";

// /campaigns/<id>: a draft to edit, test, schedule or send; then its live progress; then its results.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.report.campaign.subject} — Campaign` : "Campaign" },
  // Without JavaScript the progress still moves: the page reloads itself while sending.
  ...(data?.report.campaign.status === "SENDING" ? [{ httpEquiv: "refresh", content: "5" } as const] : []),
];

const campaignId = (params: LoaderFunctionArgs["params"]) => {
  const id = Number(params.id);
  return Number.isSafeInteger(id) && id > 0 ? id : notFound();
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const report = await campaignReport(staff, campaignId(params));
  const units = report.campaign.status === "DRAFT" ? await composerChoices(staff) : [];
  return data({ user: { email: staff.email, role: staff.role }, report, units }, { headers: { "Cache-Control": "no-store" } });
}

const Intent = z.enum(["save", "preview", "test", "send", "schedule", "cancel", "pause", "resume"]);
type ActionAnswer = { errors?: FieldErrors; preview?: ComposerPreview | null; values?: Record<string, unknown>; notice?: string; error?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const staff = await requireStaff(request);
  const id = campaignId(params);
  const form = await readForm(request);
  const intent = Intent.safeParse(form.get("intent"));
  if (!intent.success) return data<ActionAnswer>({ error: "That request was not understood. Reload the page and try again." }, { status: 400 });
  try {
    switch (intent.data) {
      case "save":
      case "preview": {
        const values = Object.fromEntries(form);
        const parsed = parseCampaignForm(form);
        if (!parsed.ok) return data<ActionAnswer>({ errors: parsed.errors, values }, { status: 400 });
        if (intent.data === "preview") return data<ActionAnswer>({ preview: await previewCampaign(staff, parsed.values), values });
        await updateDraft(staff, id, parsed.values);
        return data<ActionAnswer>({ notice: "Draft saved." });
      }
      case "test": {
        const { to } = await sendTestMessage(staff, id);
        return data<ActionAnswer>({ notice: `A test message is on its way to ${to}. Its links change nobody's preferences.` });
      }
      case "send":
        await sendNow(staff, id);
        return data<ActionAnswer>({ notice: "Sending has started." });
      case "schedule": {
        const at = scheduledTime(form);
        if (!at) return data<ActionAnswer>({ error: "Choose a date and time to send it." }, { status: 400 });
        await scheduleCampaign(staff, id, at);
        return data<ActionAnswer>({ notice: "Scheduled." });
      }
      case "cancel":
        await cancelSchedule(staff, id);
        return data<ActionAnswer>({ notice: "The schedule is cancelled; the campaign is a draft again." });
      case "pause":
        await pauseCampaign(staff, id);
        return data<ActionAnswer>({ notice: "Paused. Messages already handed over still arrive." });
      case "resume":
        await resumeCampaign(staff, id);
        return data<ActionAnswer>({ notice: "Resumed." });
    }
  } catch (error) {
    if (error instanceof CampaignError) {
      return data<ActionAnswer>(error.field ? { errors: { [error.field]: error.message }, values: Object.fromEntries(form) } : { error: error.message }, { status: 400 });
    }
    throw error;
  }
}

/** The form's local date and time, shifted by the browser's offset when JavaScript sent it (UTC otherwise). */
function scheduledTime(form: FormData): Date | null {
  const local = String(form.get("scheduledAt") ?? "");
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return null;
  const offsetMinutes = Number(form.get("tzOffset") ?? 0);
  const utc = new Date(`${local}:00Z`);
  if (Number.isNaN(utc.getTime()) || !Number.isFinite(offsetMinutes)) return null;
  return new Date(utc.getTime() + offsetMinutes * 60_000);
}

const number = (n: number) => n.toLocaleString("en-GB");

export default function CampaignPage() {
  const { user, report, units } = useLoaderData<typeof loader>();
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
  return (
    <StaffFrame user={user} title={campaign.subject}>
      <p className="campaign-meta">
        <span className={`status-badge status-${campaign.status.toLowerCase()}`}>{CAMPAIGN_STATUS_LABEL[campaign.status]}</span> {campaign.unit.displayName} ·{" "}
        {campaign.topic.name} · <Link to="/campaigns">All campaigns</Link>
      </p>
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
      {campaign.pausedReason && campaign.status === "PAUSED" ? (
        <div className="form-message error" role="status">
          <p>{campaign.pausedReason}</p>
        </div>
      ) : null}

      {campaign.status === "DRAFT" ? (
        <>
          <section className="staff-panel" aria-labelledby="send-heading">
            <h2 id="send-heading">Send</h2>
            <div className="send-actions">
              <Form method="post">
                <button type="submit" name="intent" value="test" className="button secondary">
                  Send a test to me
                </button>
              </Form>
              <Form method="post">
                <button type="submit" name="intent" value="send" className="button">
                  Send now
                </button>
              </Form>
              <Form method="post" className="schedule-form">
                <label htmlFor="scheduledAt">Send at</label>
                <input id="scheduledAt" name="scheduledAt" type="datetime-local" required />
                <TimezoneOffset />
                <button type="submit" name="intent" value="schedule" className="button secondary">
                  Schedule
                </button>
              </Form>
            </div>
          </section>
          <CampaignComposer
            units={units}
            values={{
              unitId: Number(v.unitId ?? campaign.unitId),
              topicId: Number(v.topicId ?? campaign.topicId),
              subject: String(v.subject ?? campaign.subject),
              preheader: String(v.preheader ?? campaign.preheader),
              bodyMarkdown: String(v.bodyMarkdown ?? campaign.bodyMarkdown),
              advertisementLabel: v.intent ? v.advertisementLabel === "on" : campaign.advertisementLabel,
            }}
            preview={answer?.preview ?? null}
            errors={answer?.errors}
            submitLabel="Save draft"
          />
        </>
      ) : null}

      {campaign.status === "SCHEDULED" ? (
        <section className="staff-panel">
          <p>
            Scheduled for <strong>{campaign.scheduledAt ? new Date(campaign.scheduledAt).toUTCString() : "—"}</strong>.
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
          <h2 id="progress-heading">{sending || campaign.status === "PAUSED" ? "Progress" : "Results"}</h2>
          <dl className="campaign-figures">
            <Figure label="Sent" value={number(counts.sent)} />
            <Figure label="Failed" value={number(counts.failed)} />
            <Figure label="Skipped (consent changed)" value={number(counts.skipped)} />
            {sending || campaign.status === "PAUSED" ? (
              <>
                <Figure label="Still to go" value={number(counts.remaining)} />
                <Figure label="Rate" value={`${number(Math.round(report.ratePerSecond))}/s`} />
                <Figure label="Time left" value={report.etaSeconds === null ? "—" : formatDuration(report.etaSeconds)} />
              </>
            ) : null}
            <Figure label="Unsubscribed from this campaign" value={number(report.unsubscribes)} />
            <Figure label="Unsubscribe rate" value={`${(report.unsubscribeRate * 100).toFixed(2)}%`} />
          </dl>
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
          <CampaignTimeline points={report.timeline} />
        </section>
      ) : null}
    </StaffFrame>
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

/** Filled in by the browser so a scheduled time means the marketer's local time. */
function TimezoneOffset() {
  useEffect(() => {
    const input = document.getElementById("tzOffset") as HTMLInputElement | null;
    if (input) input.value = String(new Date().getTimezoneOffset());
  }, []);
  return <input type="hidden" id="tzOffset" name="tzOffset" defaultValue="0" />;
}
