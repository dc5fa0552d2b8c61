import { Form } from "@remix-run/react";
import { FREQUENCY_CHOICE_WORDS, FREQUENCY_OPTIONS, type FrequencyOption } from "~/domain/consent/frequency.ts";

// "Send me less" for one unit on /preferences (ADR 043): how many of the unit's promotional
// emails at most. A plain form: it works without JavaScript, and posts like the pause buttons.

export function FrequencyControl({ unit }: { unit: { id: number; slug: string; displayName: string; frequency: FrequencyOption } }) {
  return (
    <Form method="post" className="frequency">
      <input type="hidden" name="intent" value="frequency" />
      <input type="hidden" name="unit" value={unit.id} />
      <fieldset>
        <legend>How often may {unit.displayName} email you?</legend>
        {FREQUENCY_OPTIONS.map((option) => (
          <label key={option} className="choice">
            <input type="radio" name="frequency" value={option} defaultChecked={unit.frequency === option} />
            <span>{FREQUENCY_CHOICE_WORDS[option]}</span>
          </label>
        ))}
      </fieldset>
      <button type="submit" className="button secondary">Save how often</button>
    </Form>
  );
}
