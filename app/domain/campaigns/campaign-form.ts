import { z } from "zod";

// The composer's form fields, read by every page that receives them (through parseForm): the
// domain takes the typed values this schema gives.

export const CampaignForm = z.object({
  unitId: z.coerce.number({ error: "Choose a business unit." }).int().positive({ error: "Choose a business unit." }),
  topicId: z.coerce.number({ error: "Choose a topic." }).int().positive({ error: "Choose a topic." }),
  subject: z.string().default(""),
  preheader: z.string().default(""),
  bodyMarkdown: z.string().default(""),
  advertisementLabel: z
    .string()
    .optional()
    .transform((v) => v === "on"),
  // More topics of the unit beside `topicId` (ADR 055): checkboxes post one value each; posted
  // again unchanged (a confirmation page) they are one comma-separated field.
  moreTopicIds: z.preprocess(
    (v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : String(v).split(",")),
    z.array(z.coerce.number({ error: "Choose topics from the list." }).int().positive({ error: "Choose topics from the list." })).max(50),
  ),
  // "Leave out people who got an email from the unit in the last N days" (ADR 055); empty: nobody.
  excludeRecentDays: z.preprocess(
    (v) => (v === undefined || v === "" ? null : v),
    z.coerce.number({ error: "Choose how many days." }).int({ error: "Choose how many days." }).min(1, { error: "Choose 1 to 90 days." }).max(90, { error: "Choose 1 to 90 days." }).nullable(),
  ),
  /** The preview only: the audience member to show the email as (ADR 054); empty for the first one. */
  previewAs: z.string().max(1000).default(""),
});

export type CampaignFormValues = z.infer<typeof CampaignForm>;

/** The composer's fields as the form posts them: to draw the form again, or to post it again unchanged. */
export function campaignFormFields(values: CampaignFormValues): Record<string, string> {
  return {
    unitId: String(values.unitId),
    topicId: String(values.topicId),
    subject: values.subject,
    preheader: values.preheader,
    bodyMarkdown: values.bodyMarkdown,
    ...(values.advertisementLabel ? { advertisementLabel: "on" } : {}),
    ...(values.moreTopicIds.length > 0 ? { moreTopicIds: values.moreTopicIds.join(",") } : {}),
    ...(values.excludeRecentDays ? { excludeRecentDays: String(values.excludeRecentDays) } : {}),
    ...(values.previewAs ? { previewAs: values.previewAs } : {}),
  };
}

/**
 * `shape`'s fields plus, as `input`, the composer's form when the request carries it (it has a
 * unitId); without it `input` is undefined and the action works on the draft as saved (a
 * client posting only "send", "test" or "schedule": a script, an older page).
 */
export function withCampaignFormIfGiven<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.looseObject(shape).transform((fields, ctx) => {
    const given = (fields as { unitId?: unknown }).unitId !== undefined;
    const composer = given ? CampaignForm.safeParse(fields) : null;
    if (composer && !composer.success) {
      for (const issue of composer.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
      return z.NEVER;
    }
    return { ...(fields as z.output<z.ZodObject<Shape>>), input: composer?.data };
  });
}

/**
 * The composer's audience fields (ADR 055) from a posted or re-posted form's strings, else from the
 * saved campaign: the more topics beside the chosen one, and the exclusion's days.
 */
export function composerAudienceValues(
  posted: Record<string, unknown>,
  saved: { topics?: { topicId: number }[]; excludeRecentDays?: number | null } = {},
): { moreTopicIds: number[]; excludeRecentDays: number | null } {
  if (posted.intent !== undefined || posted.moreTopicIds !== undefined || posted.excludeRecentDays !== undefined) {
    const more = posted.moreTopicIds;
    const list = Array.isArray(more) ? more.map(String) : typeof more === "string" && more !== "" ? more.split(",") : [];
    const days = Number(posted.excludeRecentDays);
    return { moreTopicIds: list.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0), excludeRecentDays: Number.isSafeInteger(days) && days > 0 ? days : null };
  }
  return { moreTopicIds: (saved.topics ?? []).slice(1).map((t) => t.topicId), excludeRecentDays: saved.excludeRecentDays ?? null };
}
