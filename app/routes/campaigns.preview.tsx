import { data, type ActionFunctionArgs } from "@remix-run/node";
import { requireStaff } from "~/domain/accounts/staff.server.ts";
import { CampaignError, previewCampaign } from "~/domain/campaigns/campaigns.server.ts";
import { parseCampaignForm } from "~/domain/campaigns/campaign-form.ts";
import { readForm } from "~/utils/read-form.server.ts";

// POST /campaigns/preview: the composer's live preview (called as the form changes).

export async function action({ request }: ActionFunctionArgs) {
  const staff = await requireStaff(request);
  const form = await readForm(request);
  const parsed = form ? parseCampaignForm(form) : null;
  if (!parsed?.ok) return data({ error: "Choose a unit and a topic to preview." }, { status: 400 });
  try {
    return data(await previewCampaign(staff, parsed.values), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof CampaignError) return data({ error: error.message }, { status: 400 });
    throw error;
  }
}
