import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { chooseLanguage, contactOfSession } from "~/domain/language/choice.server.ts";
import { safeRedirect } from "~/domain/accounts/safe-redirect.ts";
import { tFor } from "~/i18n/i18n.ts";
import { languageOfRequest } from "~/i18n/language.server.ts";
import { LANGUAGES } from "~/i18n/languages.ts";
import { parseForm } from "~/utils/parse-form.server.ts";

// POST /language: the language switch. Someone we know (a signed-in subscriber, a link session)
// has the choice stored on their contact; someone we do not know goes back to the page with
// ?lang=, and nothing is stored about them (no tracking cookie). /u/<token> stores it through
// its own link instead. GET changes nothing: there is no page here.

const LanguageChoice = z.object({
  language: z.enum(LANGUAGES),
  returnTo: z.string().optional(),
  timeZone: z.string().max(64).optional(),
});

export async function loader() {
  throw redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = await parseForm(request, LanguageChoice);
  // Only a forged or broken form gets here (the switch offers only our languages): a plain 4xx.
  if (!parsed.ok) {
    const text = tFor(languageOfRequest(request))("common.language.invalid");
    return new Response(text, { status: parsed.status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const { language, timeZone } = parsed.value;
  const back = new URL(safeRedirect(parsed.value.returnTo, "/"), "http://x");
  const contact = await contactOfSession(request);
  if (contact) {
    await chooseLanguage(contact.contactId, language, timeZone);
    back.searchParams.delete("lang");
  } else {
    back.searchParams.set("lang", language);
  }
  return redirect(back.pathname + back.search + back.hash);
}
