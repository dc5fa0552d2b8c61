import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveProviderEvents, type ProviderAnswer } from "~/domain/feedback/providers/receive.server.ts";
import { apiError } from "~/utils/api.server.ts";

// POST /api/v1/events/<ses|sendgrid> — an email service's bounce, complaint, unsubscribe and
// delivery events, signed by the service (ADR 026). The raw body is what the signature covers.

export function loader() {
  return apiError(405, "method", "Email services POST their events here.", { Allow: "POST" });
}

const REFUSALS: Record<Exclude<ProviderAnswer["outcome"], "received" | "subscription-confirmed" | "ignored">, [number, string]> = {
  "unknown-provider": [404, "provider"],
  "not-configured": [404, "provider"],
  unsigned: [401, "signature"],
  "foreign-topic": [403, "TopicArn"],
  unreadable: [400, "body"],
  unavailable: [503, "signature"],
  "confirmation-failed": [502, "SubscribeURL"],
};

export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return loader();
  const body = new Uint8Array(await request.arrayBuffer());
  const answer = await receiveProviderEvents(params.provider ?? "", { body, header: (name) => request.headers.get(name) });
  switch (answer.outcome) {
    case "received":
      return Response.json({ recorded: answer.recorded, duplicates: answer.duplicates, skipped: answer.skipped });
    case "subscription-confirmed":
    case "ignored":
      return Response.json({ message: answer.message });
    default: {
      const [status, field] = REFUSALS[answer.outcome];
      return apiError(status, field, answer.message, status === 503 ? { "Retry-After": "60" } : undefined);
    }
  }
}
