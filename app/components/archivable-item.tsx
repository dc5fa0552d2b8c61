import type { ReactNode } from "react";
import { Form } from "@remix-run/react";
import { StaffFrame, type StaffFrameUser } from "~/components/staff-frame.tsx";
import { ActionButton, Breadcrumbs, ErrorSummary, NoticeBanner, TextField } from "~/components/admin-units.tsx";

// The new and edit pages of something a unit archives rather than deletes while it has history
// (a topic, an exempt category): the same frame, forms and buttons; each page brings its fields
// and its words.

type Values = Partial<Record<string, string>>;
type Errors = Partial<Record<string, string>>;
type Answer = { errors?: Errors; values?: Values; error?: string } | undefined;
type Frame = {
  user: StaffFrameUser;
  title: string;
  trail: { to?: string; label: string }[];
  /** "topic", "category": the buttons' object ("Create topic", "Archive category"). */
  noun: string;
  /** The item's own fields, drawn with what was typed (or is stored) and their errors. */
  fields: (values: Values, errors: Errors) => ReactNode;
  /** Field names to the labels the error summary links to. */
  labels: Record<string, string>;
};

export function NewArchivableItemPage({ user, title, trail, noun, fields, labels, answer, initial, lede, slugHint }: Frame & { answer: Answer; initial: Values; lede?: ReactNode; slugHint: ReactNode }) {
  const values = answer?.values ?? initial;
  const errors = answer?.errors ?? {};
  return (
    <StaffFrame user={user} title={title}>
      <Breadcrumbs trail={trail} />
      {lede ? <p className="lede">{lede}</p> : null}
      <Form method="post" className="staff-panel narrow-form" noValidate>
        <ErrorSummary errors={errors} labels={labels} />
        <TextField label="Slug" name="slug" required defaultValue={values.slug} error={errors.slug} maxLength={40} spellCheck={false} hint={slugHint} />
        {fields(values, errors)}
        <div className="form-actions">
          <button type="submit" className="button">
            Create {noun}
          </button>
        </div>
      </Form>
    </StaffFrame>
  );
}

export function ArchivableItemEditPage({
  user,
  title,
  trail,
  noun,
  fields,
  labels,
  answer,
  stored,
  summary,
  notice,
  formHeading,
  archived,
  archiveNote,
  deleteNote,
  children,
}: Frame & {
  answer: Answer;
  /** The stored values, as the form's strings. */
  stored: Values;
  summary: ReactNode;
  notice: string | null;
  formHeading: string;
  archived: boolean;
  /** What archiving does, or (when archived) what unarchiving does. */
  archiveNote: ReactNode;
  /** Why it can still be deleted; null once it has history. */
  deleteNote: ReactNode | null;
  /** Sections between the form and archiving (the item's history). */
  children?: ReactNode;
}) {
  const values = answer?.values ?? stored;
  const errors = answer?.errors ?? {};
  return (
    <StaffFrame user={user} title={title}>
      <Breadcrumbs trail={trail} />
      <p className="unit-summary">{summary}</p>
      <NoticeBanner notice={notice} />
      {answer?.error ? (
        <div className="form-message error" role="alert">
          <p>{answer.error}</p>
        </div>
      ) : null}

      <Form method="post" className="staff-panel narrow-form" noValidate>
        <input type="hidden" name="intent" value="save" />
        <h2>{formHeading}</h2>
        <ErrorSummary errors={errors} labels={labels} />
        {fields(values, errors)}
        <div className="form-actions">
          <button type="submit" className="button">
            Save {noun}
          </button>
        </div>
      </Form>

      {children}

      <section className="staff-panel narrow-form" aria-labelledby="archive-heading">
        <h2 id="archive-heading">{archived ? "Unarchive" : "Archive"}</h2>
        <p>{archiveNote}</p>
        <ActionButton intent={archived ? "unarchive" : "archive"} label={`${archived ? "Unarchive" : "Archive"} ${noun}`} />
      </section>

      {deleteNote ? (
        <section className="staff-panel narrow-form danger-zone" aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete</h2>
          <p>{deleteNote}</p>
          <ActionButton intent="delete" label={`Delete ${noun}`} variant="danger" />
        </section>
      ) : null}
    </StaffFrame>
  );
}
