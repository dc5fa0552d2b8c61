import { UNSUBSCRIBE_REASON_WORDS, UNSUBSCRIBE_REASONS, type UnsubscribeReason } from "~/domain/unsubscribe/choices.ts";

// The answers to the optional "why?" after unsubscribing (ADR 043), as counts for staff.

export function UnsubscribeReasonCounts({ counts, id }: { counts: Record<UnsubscribeReason, number>; id: string }) {
  const total = UNSUBSCRIBE_REASONS.reduce((n, r) => n + counts[r], 0);
  return (
    <section aria-labelledby={id} className="unsubscribe-reasons">
      <h3 id={id}>Why people unsubscribed</h3>
      {total === 0 ? (
        <p className="hint">Nobody has answered the optional question yet.</p>
      ) : (
        <dl className="campaign-figures" data-testid="unsubscribe-reasons">
          {UNSUBSCRIBE_REASONS.map((reason) => (
            <div key={reason}>
              <dt>{UNSUBSCRIBE_REASON_WORDS[reason]}</dt>
              <dd>{counts[reason]}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
