import { data, redirect } from "@remix-run/node";
import { z } from "zod";

// The action of an edit page for something a unit archives rather than deletes while it has
// history (a topic, an exempt category): save, archive, unarchive, delete. The domain module
// decides what is allowed; this only turns its answers into redirects and 400/409 answers.

const NO_STORE = { "Cache-Control": "no-store" };
const Intent = z.enum(["save", "archive", "unarchive", "delete"]);

export type ArchivableEditAnswer = { errors?: Record<string, string>; values?: Record<string, string>; error?: string };

export async function archivableEditAction(
  fields: Record<string, string>,
  page: {
    /** This edit page, where save, archive and unarchive come back to with a notice. */
    here: string;
    /** Where a deleted item's page sends the person. */
    afterDelete: string;
    save: () => Promise<{ ok: true; changed: readonly unknown[] } | { ok: false; errors: Partial<Record<string, string>> }>;
    archive: () => Promise<unknown>;
    unarchive: () => Promise<unknown>;
    remove: () => Promise<unknown>;
    /** The domain's refusal (in use, already archived, ...): answered 409 with its message. */
    isRefusal: (error: unknown) => error is Error;
  },
) {
  const intent = Intent.safeParse(fields.intent);
  if (!intent.success) {
    return data<ArchivableEditAnswer>({ error: "That request was not understood. Reload the page and try again." }, { status: 400, headers: NO_STORE });
  }
  try {
    switch (intent.data) {
      case "save": {
        const result = await page.save();
        if (!result.ok) return data<ArchivableEditAnswer>({ errors: result.errors as Record<string, string>, values: fields }, { status: 400, headers: NO_STORE });
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
    if (page.isRefusal(error)) return data<ArchivableEditAnswer>({ error: error.message }, { status: 409, headers: NO_STORE });
    throw error;
  }
}
