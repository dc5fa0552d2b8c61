import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { answering404, requireStaff } from "~/utils/permissions.server.ts";
import { CampaignError, composerChoices, createCampaign, previewCampaign } from "~/domain/campaigns/campaigns.server.ts";
import { requesterOf } from "~/utils/request.server.ts";
import { CampaignForm, campaignFormFields, composerAudienceValues } from "~/domain/campaigns/campaign-form.ts";
import { CampaignComposer, type ComposerPreview, type FieldErrors } from "~/components/campaign-composer.tsx";
import { StaffFrame } from "~/components/staff-frame.tsx";
import accountsStyles from "~/styles/accounts.css";
import staffStyles from "~/styles/staff.css";
import { parseForm } from "~/utils/parse-form.server.ts";

// /campaigns/new: write a campaign; saving makes a draft that can be tested, scheduled or sent.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: accountsStyles },
  { rel: "stylesheet", href: staffStyles },
];
export const meta: MetaFunction = () => [{ title: "New campaign" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const units = await composerChoices(staff);
  return data({ user: { email: staff.email, role: staff.role }, units }, { headers: { "Cache-Control": "no-store" } });
}

type ActionAnswer = { errors: FieldErrors; preview: ComposerPreview | null; values: Record<string, unknown> };

const NOT_UNDERSTOOD = "That request was not understood. Reload the page and try again.";
// The composer's two buttons; a form posted without a button (a script) saves.
const NewCampaignAction = z.discriminatedUnion(
  "intent",
  [CampaignForm.extend({ intent: z.literal("preview") }), CampaignForm.extend({ intent: z.literal("save").optional() })],
  { error: NOT_UNDERSTOOD },
);

export async function action({ request, context }: ActionFunctionArgs) {
  return answering404(async () => {
    const staff = await requireStaff(request);
    const parsed = await parseForm(request, NewCampaignAction);
    if (!parsed.ok) {
      const { intent, ...errors } = parsed.errors;
      return data<ActionAnswer>({ errors: intent ? { ...errors, form: intent } : errors, preview: null, values: parsed.values }, { status: parsed.status });
    }
    const { intent, ...input } = parsed.value;
    const values = { intent, ...campaignFormFields(input) };
    try {
      if (intent === "preview") return data<ActionAnswer>({ errors: {}, preview: await previewCampaign(staff, input), values });
      const { id } = await createCampaign(staff, input, requesterOf(request, context));
      return redirect(`/campaigns/${id}`);
    } catch (error) {
      if (error instanceof CampaignError) return data<ActionAnswer>({ errors: { [error.field ?? "form"]: error.message }, preview: null, values }, { status: 400 });
      throw error;
    }
  });
}

export default function NewCampaignPage() {
  const { user, units } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const v = answer?.values ?? {};
  const firstUnit = units[0];
  return (
    <StaffFrame user={user} title="New campaign">
      {units.length === 0 ? (
        <p className="empty">You are not a member of any business unit yet. Ask an admin to add you to one.</p>
      ) : (
        <CampaignComposer
          units={units}
          values={{
            unitId: Number(v.unitId ?? firstUnit.id),
            topicId: Number(v.topicId ?? firstUnit.topics[0]?.id ?? 0),
            subject: String(v.subject ?? ""),
            preheader: String(v.preheader ?? ""),
            bodyMarkdown: String(v.bodyMarkdown ?? ""),
            advertisementLabel: v.advertisementLabel === "on",
            ...composerAudienceValues(v),
            previewAs: String(v.previewAs ?? ""),
          }}
          preview={answer?.preview ?? null}
          errors={answer?.errors}
          submitLabel="Save draft"
        />
      )}
    </StaffFrame>
  );
}
