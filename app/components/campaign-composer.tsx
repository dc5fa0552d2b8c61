import { MERGE_FIELD_HELP } from "~/domain/campaigns/merge-fields.ts";
import type { CampaignInput } from "~/domain/campaigns/campaigns.server.ts";
import { useEffect, useRef, useState } from "react";
import { Form } from "@remix-run/react";

// The campaign form: unit, topic, subject, preheader, Markdown body, Advertisement label, and
// the preview of the real email beside it. Without JavaScript "Preview" re-renders the page;
// with it the preview and the audience size follow the form as it changes. A preview that
// cannot be made says why beside the preview; the form, and what was typed in it, stay.

export type ComposerUnit = { id: number; displayName: string; topics: { id: number; name: string }[]; missing: string[] };
/** What the composer holds: the campaign as saved, and for the preview only, the audience member to show the email as (ADR 054). */
export type ComposerValues = CampaignInput & { previewAs?: string };

/** The choices of "leave out people who got an email from the unit in the last …" (ADR 055). */
const EXCLUDE_DAYS = [1, 3, 7, 14, 30, 60, 90];
export type ComposerPreview = {
  subject: string;
  html: string;
  text: string;
  audience: number | null;
  /** The audience member the preview shows the email to (ADR 054); null: a sample subscriber. */
  recipient?: { email: string; name: string | null } | null;
  /** Why the preview is not shown as the one asked for, when it is not. */
  recipientNote?: string | null;
};
export type FieldErrors = Partial<Record<keyof ComposerValues | "form" | "scheduledAt" | "timeZone", string>>;

/** The form's id: controls placed outside it (the send and schedule fields) join it with form="…". */
export const COMPOSER_FORM_ID = "campaign-form";

const FIELD_LABEL: Record<string, string> = {
  unitId: "Business unit",
  topicId: "Topic",
  subject: "Subject",
  preheader: "Preheader",
  bodyMarkdown: "Body",
  moreTopicIds: "More topics",
  excludeRecentDays: "Leave out",
};

const isPreview = (value: unknown): value is ComposerPreview =>
  typeof value === "object" && value !== null && typeof (value as ComposerPreview).html === "string" && typeof (value as ComposerPreview).subject === "string";

/** The live preview of the form as it stands, or why there is none; never throws, so the page never loses the form. */
async function fetchPreview(form: HTMLFormElement): Promise<{ preview: ComposerPreview } | { error: string }> {
  const fields = [...new FormData(form)].filter((entry): entry is [string, string] => typeof entry[1] === "string");
  try {
    const response = await fetch("/campaigns/preview", { method: "POST", body: new URLSearchParams(fields), headers: { Accept: "application/json" } });
    const answer: unknown = await response.json().catch(() => null);
    if (response.ok && isPreview(answer)) return { preview: answer };
    const { error, field } = (answer ?? {}) as { error?: unknown; field?: unknown };
    if (typeof error === "string") return { error: typeof field === "string" && FIELD_LABEL[field] ? `${FIELD_LABEL[field]}: ${error}` : error };
    return { error: `The preview could not be made (the server answered ${response.status}). Try Preview again in a moment.` };
  } catch {
    return { error: "The preview could not be made: the server cannot be reached. Try Preview again in a moment." };
  }
}

export function CampaignComposer({
  units,
  values,
  preview,
  errors = {},
  submitLabel,
  sendActions,
}: {
  units: ComposerUnit[];
  values: ComposerValues;
  preview: ComposerPreview | null;
  errors?: FieldErrors;
  submitLabel: string;
  /** More of the form's buttons (test, send, schedule): they submit the composer's fields with them. */
  sendActions?: React.ReactNode;
}) {
  const [unitId, setUnitId] = useState(values.unitId);
  const unit = units.find((u) => u.id === unitId) ?? units[0];
  // The newest preview (live or from the page's own Preview), and the live preview's refusal if its last answer was one.
  const [live, setLive] = useState<{ preview: ComposerPreview | null; error: string | null }>({ preview, error: null });
  useEffect(() => {
    if (preview) setLive({ preview, error: null });
  }, [preview]);
  const formRef = useRef<HTMLFormElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const asked = useRef(0);
  const shown = live.preview ?? preview;

  const refresh = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      if (!formRef.current) return;
      // Answers can overtake each other: only the latest question's answer is shown.
      const question = ++asked.current;
      const answer = await fetchPreview(formRef.current);
      if (question !== asked.current) return;
      setLive((before) => ("preview" in answer ? { preview: answer.preview, error: null } : { preview: before.preview, error: answer.error }));
    }, 400);
  };
  useEffect(() => () => clearTimeout(timer.current), []);

  return (
    <div className="composer">
      <Form method="post" id={COMPOSER_FORM_ID} ref={formRef} onChange={refresh} className="staff-panel composer-form" noValidate>
        {errors.form ? (
          <div className="form-message error" role="alert">
            <p>{errors.form}</p>
          </div>
        ) : null}
        <Field label="Business unit" error={errors.unitId} htmlFor="unitId">
          <select id="unitId" name="unitId" defaultValue={values.unitId} onChange={(e) => setUnitId(Number(e.target.value))}>
            {units.map((u) => (
              <option key={u.id} value={u.id}>
                {u.displayName}
              </option>
            ))}
          </select>
        </Field>
        {unit && unit.missing.length > 0 ? (
          <div className="form-message error" role="status">
            <p>
              <strong>{unit.displayName} cannot send yet.</strong> It needs {unit.missing.join(" and ")}. An admin can add
              {unit.missing.length > 1 ? " them" : " it"} in the unit's settings.
            </p>
          </div>
        ) : null}
        <Field label="Topic" error={errors.topicId} htmlFor="topicId" hint="Only people subscribed by email to this topic, or to one ticked below, receive the campaign.">
          <select id="topicId" name="topicId" defaultValue={values.topicId} key={unit?.id}>
            {unit?.topics.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </Field>
        {unit && unit.topics.length > 1 ? (
          <fieldset className={`field checkbox-group${errors.moreTopicIds ? " has-error" : ""}`} key={`more-${unit.id}`}>
            <legend>Also send to people subscribed to</legend>
            <p className="hint" id="more-topics-hint">
              Someone subscribed to several of the chosen topics gets one copy.
            </p>
            {unit.topics.map((t) => (
              <label key={t.id} className="checkbox-field">
                <input type="checkbox" name="moreTopicIds" value={t.id} defaultChecked={values.moreTopicIds?.includes(t.id)} aria-describedby="more-topics-hint" /> {t.name}
              </label>
            ))}
            {errors.moreTopicIds ? (
              <p className="field-error" role="alert">
                {errors.moreTopicIds}
              </p>
            ) : null}
          </fieldset>
        ) : null}
        <Field
          label={`Leave out people who got an email from ${unit?.displayName ?? "this unit"} in the last`}
          error={errors.excludeRecentDays}
          htmlFor="excludeRecentDays"
          hint="Any campaign of the unit counts. The audience below already leaves them out."
        >
          <select id="excludeRecentDays" name="excludeRecentDays" defaultValue={values.excludeRecentDays ?? ""}>
            <option value="">Nobody: don't leave anyone out</option>
            {EXCLUDE_DAYS.map((days) => (
              <option key={days} value={days}>
                {days === 1 ? "1 day" : `${days} days`}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Subject" error={errors.subject} htmlFor="subject">
          <input id="subject" name="subject" type="text" defaultValue={values.subject} maxLength={200} required />
        </Field>
        <Field label="Preheader" error={errors.preheader} htmlFor="preheader" hint="The line inboxes show after the subject. Optional: without it, inboxes show the message's first line.">
          <input id="preheader" name="preheader" type="text" defaultValue={values.preheader} maxLength={200} />
        </Field>
        <Field label="Body (Markdown)" error={errors.bodyMarkdown} htmlFor="bodyMarkdown" hint={`Headings, lists, bold, links (http, https, mailto), images (as wide as the message; give each a description). HTML is not allowed. ${MERGE_FIELD_HELP} They work in the subject and preheader too.`}>
          <textarea id="bodyMarkdown" name="bodyMarkdown" defaultValue={values.bodyMarkdown} required />
        </Field>
        <div className="field checkbox-field">
          <label>
            <input type="checkbox" name="advertisementLabel" defaultChecked={values.advertisementLabel} /> Mark as “Advertisement”
          </label>
        </div>
        <Field label="Preview as" htmlFor="previewAs" hint="The address of someone in the audience, to preview the email as they will get it. Empty: the first person in the audience.">
          <input id="previewAs" name="previewAs" type="email" defaultValue={values.previewAs ?? ""} autoComplete="off" />
        </Field>
        <div className="form-actions">
          <button type="submit" name="intent" value="save" className="button">
            {submitLabel}
          </button>
          <button type="submit" name="intent" value="preview" className="button secondary">
            Preview
          </button>
        </div>
        {sendActions}
      </Form>
      <section className="staff-panel composer-preview" aria-labelledby="preview-heading">
        <h2 id="preview-heading">Preview</h2>
        {live.error ? (
          <div className="form-message error preview-error" role="status" data-testid="preview-error">
            <p>
              <strong>The preview is not up to date.</strong> {live.error}
            </p>
            {shown ? <p>Below is the last preview that could be made.</p> : null}
          </div>
        ) : null}
        {shown ? (
          <>
            <p className="preview-facts">
              <strong>Subject:</strong> {shown.subject}
              {typeof shown.audience === "number" ? (
                <>
                  {" "}
                  · <strong>Audience now:</strong> <span data-testid="audience">{shown.audience.toLocaleString("en-GB")}</span> people
                </>
              ) : null}
            </p>
            {/* Who the preview is: a real member of the audience (ADR 054), else renderCampaignPreview's sample recipient (ADR 045). */}
            <p className="hint" data-testid="preview-recipient">
              {shown.recipient ? (
                <>
                  Shown as <strong>{shown.recipient.name ? `${shown.recipient.name} <${shown.recipient.email}>` : shown.recipient.email}</strong> sees it, with
                  their name and their footer; its links act for nobody.
                </>
              ) : (
                <>
                  Shown as a subscriber who signed up for this topic sees it. People who receive it on another basis (customers, people who asked
                  about your products) read why they get it instead, and always see “Advertisement”.
                </>
              )}{" "}
              {shown.recipientNote ?? null}
            </p>
            {/* No allow-scripts: the marketer's HTML is sanitised, and the frame could not run script anyway. */}
            <iframe title="Email preview (HTML)" sandbox="" srcDoc={shown.html} className="preview-frame" />
            <details>
              <summary>Plain-text part</summary>
              <pre className="preview-text">{shown.text}</pre>
            </details>
          </>
        ) : (
          <p className="hint">Write something and choose Preview to see the email as recipients will.</p>
        )}
      </section>
    </div>
  );
}

function Field({ label, error, hint, htmlFor, children }: { label: string; error?: string; hint?: string; htmlFor: string; children: React.ReactNode }) {
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={htmlFor}>{label}</label>
      {hint ? <p className="hint">{hint}</p> : null}
      {children}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
