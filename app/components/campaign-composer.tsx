import { useEffect, useRef, useState } from "react";
import { Form, useFetcher } from "@remix-run/react";

// The campaign form: unit, topic, subject, preheader, Markdown body, Advertisement label, and
// the preview of the real email beside it. Without JavaScript "Preview" re-renders the page;
// with it the preview and the audience size follow the form as it changes.

export type ComposerUnit = { id: number; displayName: string; topics: { id: number; name: string }[]; missing: string[] };
export type ComposerValues = { unitId: number; topicId: number; subject: string; preheader: string; bodyMarkdown: string; advertisementLabel: boolean };
export type ComposerPreview = { subject: string; html: string; text: string; audience: number | null };
export type FieldErrors = Partial<Record<keyof ComposerValues | "form", string>>;

export function CampaignComposer({
  units,
  values,
  preview,
  errors = {},
  submitLabel,
}: {
  units: ComposerUnit[];
  values: ComposerValues;
  preview: ComposerPreview | null;
  errors?: FieldErrors;
  submitLabel: string;
}) {
  const [unitId, setUnitId] = useState(values.unitId);
  const unit = units.find((u) => u.id === unitId) ?? units[0];
  const live = useFetcher<ComposerPreview>();
  const formRef = useRef<HTMLFormElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const shown = live.data ?? preview;

  const refresh = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (formRef.current) live.submit(formRef.current, { method: "post", action: "/campaigns/preview" });
    }, 400);
  };
  useEffect(() => () => clearTimeout(timer.current), []);

  return (
    <div className="composer">
      <Form method="post" ref={formRef} onChange={refresh} className="staff-panel composer-form" noValidate>
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
        <Field label="Topic" error={errors.topicId} htmlFor="topicId" hint="Only people subscribed to this topic by email receive the campaign.">
          <select id="topicId" name="topicId" defaultValue={values.topicId} key={unit?.id}>
            {unit?.topics.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Subject" error={errors.subject} htmlFor="subject">
          <input id="subject" name="subject" type="text" defaultValue={values.subject} maxLength={200} required />
        </Field>
        <Field label="Preheader" error={errors.preheader} htmlFor="preheader" hint="The line inboxes show after the subject. Optional.">
          <input id="preheader" name="preheader" type="text" defaultValue={values.preheader} maxLength={200} />
        </Field>
        <Field label="Body (Markdown)" error={errors.bodyMarkdown} htmlFor="bodyMarkdown" hint="Headings, lists, bold, links (http, https, mailto). HTML is not allowed.">
          <textarea id="bodyMarkdown" name="bodyMarkdown" defaultValue={values.bodyMarkdown} required />
        </Field>
        <div className="field checkbox-field">
          <label>
            <input type="checkbox" name="advertisementLabel" defaultChecked={values.advertisementLabel} /> Mark as “Advertisement”
          </label>
        </div>
        <div className="form-actions">
          <button type="submit" name="intent" value="save" className="button">
            {submitLabel}
          </button>
          <button type="submit" name="intent" value="preview" className="button secondary">
            Preview
          </button>
        </div>
      </Form>
      <section className="staff-panel composer-preview" aria-labelledby="preview-heading">
        <h2 id="preview-heading">Preview</h2>
        {shown ? (
          <>
            <p className="preview-facts">
              <strong>Subject:</strong> {shown.subject}
              {shown.audience !== null ? (
                <>
                  {" "}
                  · <strong>Audience now:</strong> <span data-testid="audience">{shown.audience.toLocaleString("en-GB")}</span> people
                </>
              ) : null}
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
