import { useEffect, useRef, type ReactNode } from "react";
import { Form, Link } from "@remix-run/react";

// Form pieces of the admin unit, topic and category pages. Plain POST forms: they work without
// JavaScript. Every input has a label, its hint and its own error linked for screen readers.

type FieldBase = {
  label: string;
  name: string;
  /** Needed when two forms on one page have a field of the same name. */
  id?: string;
  error?: string | null;
  hint?: ReactNode;
  required?: boolean;
};

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

/** The hint under a label; the control names it in aria-describedby. */
function FieldHint({ id, hint }: { id: string; hint?: ReactNode }) {
  return hint ? (
    <p id={`${id}-hint`} className="hint">
      {hint}
    </p>
  ) : null;
}

/** The field's own error, under it; the control names it in aria-describedby. */
function FieldError({ id, error }: { id: string; error?: string | null }) {
  return error ? (
    <p id={`${id}-error`} className="field-error">
      {error}
    </p>
  ) : null;
}

function FieldFrame({ id, label, hint, error, required, children }: { id: string; label: string; hint?: ReactNode; error?: string | null; required?: boolean; children: ReactNode }) {
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>
        {label}
        {required ? null : <span className="optional"> (optional)</span>}
      </label>
      <FieldHint id={id} hint={hint} />
      {children}
      <FieldError id={id} error={error} />
    </div>
  );
}

export function TextField({
  label,
  name,
  id: givenId,
  error,
  hint,
  required = false,
  defaultValue,
  type = "text",
  maxLength,
  autoComplete = "off",
  inputMode,
  spellCheck,
}: FieldBase & { defaultValue?: string | null; type?: "text" | "email" | "url" | "tel"; maxLength?: number; autoComplete?: string; inputMode?: "text" | "email" | "url" | "tel"; spellCheck?: boolean }) {
  const id = givenId ?? `field-${name}`;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} required={required}>
      <input
        id={id}
        name={name}
        type={type}
        defaultValue={defaultValue ?? ""}
        required={required}
        maxLength={maxLength}
        autoComplete={autoComplete}
        inputMode={inputMode}
        spellCheck={spellCheck}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
    </FieldFrame>
  );
}

export function TextAreaField({
  label,
  name,
  id: givenId,
  error,
  hint,
  required = false,
  defaultValue,
  rows = 3,
  monospace = false,
  placeholder,
}: FieldBase & { defaultValue?: string | null; rows?: number; monospace?: boolean; placeholder?: string }) {
  const id = givenId ?? `field-${name}`;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} required={required}>
      <textarea
        id={id}
        name={name}
        defaultValue={defaultValue ?? ""}
        rows={rows}
        required={required}
        className={monospace ? "monospace" : undefined}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={monospace ? false : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
    </FieldFrame>
  );
}

/** A group of checkboxes or radios under one legend, with one error for the group. */
export function ChoiceGroup({ legend, error, hint, id, children }: { legend: string; error?: string | null; hint?: ReactNode; id: string; children: ReactNode }) {
  return (
    <fieldset className={`field choice-group${error ? " has-error" : ""}`} aria-describedby={describedBy(id, hint, error)} id={id}>
      <legend>{legend}</legend>
      <FieldHint id={id} hint={hint} />
      {children}
      <FieldError id={id} error={error} />
    </fieldset>
  );
}

/** The first problems of a failed form, listed above it with links to each field. */
export function ErrorSummary({ errors, labels }: { errors: Record<string, string | undefined>; labels: Record<string, string> }) {
  const entries = Object.entries(errors).filter((entry): entry is [string, string] => Boolean(entry[1]));
  const summary = useRef<HTMLDivElement>(null);
  // With JavaScript the page does not reload after a failed save: bring the summary into view.
  useEffect(() => {
    if (entries.length > 0) summary.current?.focus();
  }, [errors]);
  if (entries.length === 0) return null;
  return (
    <div className="form-message error error-summary" role="alert" tabIndex={-1} ref={summary}>
      <p>
        <strong>{entries.length === 1 ? "One thing to fix" : `${entries.length} things to fix`} before this can be saved:</strong>
      </p>
      <ul className="error-list">
        {entries.map(([field, message]) => (
          <li key={field}>
            {field in labels ? <a href={`#field-${field}`}>{labels[field]}</a> : null}
            {field in labels ? ": " : null}
            {message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A one-button POST form, e.g. archive or delete. */
export function ActionButton({ intent, label, variant = "secondary", children }: { intent: string; label: string; variant?: "secondary" | "danger" | "primary"; children?: ReactNode }) {
  return (
    <Form method="post" className="inline-action">
      {children}
      <button type="submit" name="intent" value={intent} className={`button${variant === "primary" ? "" : ` ${variant}`}`}>
        {label}
      </button>
    </Form>
  );
}

/** "Units › Example Tax › Topics": where an admin page sits. */
export function Breadcrumbs({ trail }: { trail: { to?: string; label: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        {trail.map((step, index) =>
          step.to ? (
            <li key={index}>
              <Link to={step.to}>{step.label}</Link>
            </li>
          ) : (
            <li key={index} aria-current="page">
              {step.label}
            </li>
          ),
        )}
      </ol>
    </nav>
  );
}

/** Notices shown after a redirect (?notice=…): a fixed set, so no text from the address reaches the page. */
export const NOTICES: Record<string, string> = {
  "unit-created": "The unit is created. Add its topics and exempt categories below; it can send campaigns once it has a topic.",
  saved: "Saved.",
  unchanged: "Nothing changed: the form held the values already stored.",
  "topic-created": "The topic is created. Marketers can write campaigns for it, and people can subscribe to it.",
  "category-created": "The category is created.",
  archived: "Archived. Its history stays; unarchive it to use it again.",
  unarchived: "Unarchived: it is in use again.",
  "topic-deleted": "The topic is deleted.",
  "category-deleted": "The category is deleted.",
};

export function NoticeBanner({ notice }: { notice: string | null }) {
  const text = notice ? NOTICES[notice] : undefined;
  if (!text) return null;
  return (
    <div className="form-message success" role="status">
      <p>{text}</p>
    </div>
  );
}

/** Name, description and offered channels of a topic: the fields shared by its new and edit pages. */
export function TopicFields({ values, errors }: { values: Partial<Record<string, string>>; errors: Partial<Record<string, string>> }) {
  const checked = (name: string) => values[name] === "on";
  return (
    <>
      <TextField label="Name" name="name" required defaultValue={values.name} error={errors.name} maxLength={80} hint="People see it in the preference center and in the footer of every campaign on it." />
      <TextAreaField label="Description" name="description" defaultValue={values.description} error={errors.description} rows={2} hint="One or two sentences: what people get and how often. Shown in the preference center." />
      <ChoiceGroup legend="Offered on" id="field-channels" error={errors.channels} hint="The channels people can subscribe to it on. Campaigns go by email; postal and phone lists are exported.">
        <label className="choice">
          <input type="checkbox" name="offersEmail" defaultChecked={checked("offersEmail")} /> <span>Email</span>
        </label>
        <label className="choice">
          <input type="checkbox" name="offersPostal" defaultChecked={checked("offersPostal")} /> <span>Postal mail</span>
        </label>
        <label className="choice">
          <input type="checkbox" name="offersPhone" defaultChecked={checked("offersPhone")} /> <span>Phone</span>
        </label>
      </ChoiceGroup>
    </>
  );
}

export const TOPIC_FIELD_LABELS: Record<string, string> = { slug: "Slug", name: "Name", description: "Description", channels: "Offered on" };
export const CATEGORY_FIELD_LABELS: Record<string, string> = { slug: "Slug", name: "Name", reason: "Reason", legalClass: "Legal class" };

/** Name, reason and legal class of an exempt category: the fields shared by its new and edit pages. */
export function CategoryFields({ values, errors, legalClasses }: { values: Partial<Record<string, string>>; errors: Partial<Record<string, string>>; legalClasses: Record<string, string> }) {
  return (
    <>
      <TextField label="Name" name="name" required defaultValue={values.name} error={errors.name} maxLength={80} hint="E.g. Renewal notices. Listed in the preference center under messages that keep coming." />
      <TextAreaField
        label="Reason"
        name="reason"
        required
        defaultValue={values.reason}
        error={errors.reason}
        rows={2}
        hint="Why these messages continue after an opt-out, in words for the person, e.g. “You need to know before a policy you hold renews.”"
      />
      <ChoiceGroup legend="Legal class" id="field-legalClass" error={errors.legalClass} hint="What makes these messages transactional or relationship messages rather than marketing.">
        {Object.entries(legalClasses).map(([value, label]) => (
          <label className="choice" key={value}>
            <input type="radio" name="legalClass" value={value} defaultChecked={values.legalClass === value} /> <span>{label}</span>
          </label>
        ))}
      </ChoiceGroup>
    </>
  );
}

/** A table that scrolls sideways on a narrow screen; focusable so keyboard users can scroll it too. */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
