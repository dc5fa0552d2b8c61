import { data, redirect } from "@remix-run/node";
import { z } from "zod";
import { parseForm } from "./parse-form.server.ts";

// The actions of the new and edit pages of something a unit archives rather than deletes while
// it has history (a topic, an exempt category). The domain module owns the form's schema and
// decides what is allowed; this reads the form with it and turns the answers into redirects
// and 400/409 answers.

const NO_STORE = { "Cache-Control": "no-store" };
const NOT_UNDERSTOOD = "That request was not understood. Reload the page and try again.";

/** What the page gets back: errors beside the fields with what was typed, or one message for the whole page. */
export type ArchivableItemAnswer = { errors?: Record<string, string>; values?: Partial<Record<string, string>>; error?: string };

type Saved = { ok: true; changed: readonly unknown[] } | { ok: false; errors: Partial<Record<string, string>> };
type ItemForm = z.ZodObject<{ [field: string]: z.ZodOptional<z.ZodString | z.ZodLiteral<string>> }>;

const refused = (errors: Partial<Record<string, string>>, values: Partial<Record<string, string>>) =>
  data<ArchivableItemAnswer>({ errors: errors as Record<string, string>, values }, { status: 400, headers: NO_STORE });

/** The new page: the item's form, created by the domain, then back to the unit's page. */
export async function newArchivableItemAction<Form extends ItemForm>(
  request: Request,
  form: Form,
  page: { create: (values: z.output<Form>) => Promise<Saved>; afterCreate: string },
) {
  const parsed = await parseForm(request, form);
  if (!parsed.ok) return data<ArchivableItemAnswer>({ errors: parsed.errors, values: parsed.values }, { status: parsed.status, headers: NO_STORE });
  const result = await page.create(parsed.value);
  if (!result.ok) return refused(result.errors, parsed.value);
  return redirect(page.afterCreate, { headers: NO_STORE });
}

/** The edit page: save (the item's form), archive, unarchive or delete, each a button with its intent. */
export async function archivableEditAction<Form extends ItemForm>(
  request: Request,
  form: Form,
  page: {
    /** This edit page, where save, archive and unarchive come back to with a notice. */
    here: string;
    /** Where a deleted item's page sends the person. */
    afterDelete: string;
    save: (values: z.output<Form>) => Promise<Saved>;
    archive: () => Promise<unknown>;
    unarchive: () => Promise<unknown>;
    remove: () => Promise<unknown>;
    /** The domain's refusal (in use, already archived, ...): answered 409 with its message. */
    isRefusal: (error: unknown) => error is Error;
  },
) {
  const EditRequest = z.discriminatedUnion(
    "intent",
    [
      form.extend({ intent: z.literal("save") }),
      z.object({ intent: z.literal("archive") }),
      z.object({ intent: z.literal("unarchive") }),
      z.object({ intent: z.literal("delete") }),
    ],
    { error: NOT_UNDERSTOOD },
  );
  const parsed = await parseForm(request, EditRequest);
  if (!parsed.ok) {
    if (parsed.errors.intent) return data<ArchivableItemAnswer>({ error: NOT_UNDERSTOOD }, { status: 400, headers: NO_STORE });
    return data<ArchivableItemAnswer>({ errors: parsed.errors, values: parsed.values }, { status: parsed.status, headers: NO_STORE });
  }
  const asked = parsed.value;
  try {
    switch (asked.intent) {
      case "save": {
        const values = asked as z.output<Form>;
        const result = await page.save(values);
        if (!result.ok) return refused(result.errors, values);
        return redirect(`${page.here}?notice=${result.changed.length > 0 ? "saved" : "unchanged"}`, { headers: NO_STORE });
      }
      case "archive":
        await page.archive();
        return redirect(`${page.here}?notice=archived`, { headers: NO_STORE });
      case "unarchive":
        await page.unarchive();
        return redirect(`${page.here}?notice=unarchived`, { headers: NO_STORE });
      case "delete":
        await page.remove();
        return redirect(page.afterDelete, { headers: NO_STORE });
    }
  } catch (error) {
    if (page.isRefusal(error)) return data<ArchivableItemAnswer>({ error: error.message }, { status: 409, headers: NO_STORE });
    throw error;
  }
}
