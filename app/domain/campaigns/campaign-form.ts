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
