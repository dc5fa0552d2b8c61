import { type ActionFunctionArgs } from "@remix-run/node";
import { answering404, requireStaff } from "~/utils/permissions.server.ts";
import { CampaignError, previewCampaign } from "~/domain/campaigns/campaigns.server.ts";
import { CampaignForm } from "~/domain/campaigns/campaign-form.ts";
import { parseForm } from "~/utils/parse-form.server.ts";

// POST /campaigns/preview: the composer's live preview (called as the form changes). It answers
// JSON only, a refusal included, so the page that asks keeps its form whatever happens here.

const answer = (body: object, status = 200) => Response.json(body, { status, headers: { "Cache-Control": "no-store" } });

export async function action({ request }: ActionFunctionArgs) {
  return answering404(async () => {
    const staff = await requireStaff(request).catch((thrown: unknown) => {
      // Signed out while writing: say so instead of sending the page's script to the sign-in page.
      if (thrown instanceof Response && thrown.status >= 300 && thrown.status < 400) return null;
      throw thrown;
    });
    if (!staff) return answer({ error: "You are signed out. Sign in again in another tab, then save here: what you typed is still on this page." }, 401);
    // A body that is not a form is refused in JSON too, like a form without a unit or topic.
    const parsed = await parseForm(request, CampaignForm).catch((thrown: unknown) => {
      if (thrown instanceof Response) return null;
      throw thrown;
    });
    if (!parsed?.ok) return answer({ error: "Choose a unit and a topic to preview." }, 400);
    try {
      return answer(await previewCampaign(staff, parsed.value));
    } catch (error) {
      if (error instanceof CampaignError) return answer({ error: error.message, ...(error.field ? { field: error.field } : {}) }, 400);
      throw error;
    }
  });
}
