import { z } from "zod";

// The composer's form fields, parsed the same way by every page that receives them.

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
});

export type CampaignFormValues = z.infer<typeof CampaignForm>;

/** The form's values, or the first problem per field. */
export function parseCampaignForm(form: FormData):
  | { ok: true; values: CampaignFormValues }
  | { ok: false; errors: Partial<Record<keyof CampaignFormValues, string>> } {
  const fields = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string"));
  const parsed = CampaignForm.safeParse(fields);
  if (parsed.success) return { ok: true, values: parsed.data };
  const errors: Partial<Record<keyof CampaignFormValues, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as keyof CampaignFormValues;
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}
