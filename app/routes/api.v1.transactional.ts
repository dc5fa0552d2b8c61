import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticateApiKey } from "~/domain/transactional/api-keys.server.ts";
import { TransactionalRequestError } from "~/domain/transactional/send.server.ts";
import { sendUnitRequest } from "~/domain/transactional/unit-requests.server.ts";
import { findUnitBySlug } from "~/domain/units/units.server.ts";
import { apiError, apiValidationError, nulCharacterError, readJson } from "~/utils/api.server.ts";

// POST /api/v1/transactional — send one service message. Authorization: Bearer <unit API key>.

const SendRequest = z.object({
  unit: z.string().min(1, "is required"),
  category: z.string().min(1, "is required"),
  to: z.string({ error: "is required" }),
  template: z.string().min(1, "is required"),
  data: z.record(z.string(), z.unknown(), { error: "must be a JSON object" }).default({}),
  idempotencyKey: z.string({ error: "is required" }).min(1, "is required").max(200, "must be at most 200 characters"),
});

export function loader() {
  return apiError(405, "method", "Use POST to send a transactional message.", { Allow: "POST" });
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return loader();
  const key = await authenticateApiKey(request.headers.get("authorization"));
  if (!key) {
    return apiError(401, "authorization", "Send a valid unit API key as `Authorization: Bearer <key>`.", {
      "WWW-Authenticate": "Bearer",
    });
  }
  const body = await readJson(request);
  if (body === null) return apiError(400, "body", "The body must be a JSON object sent as application/json.");
  const unstorable = nulCharacterError(body);
  if (unstorable) return unstorable;
  const parsed = SendRequest.safeParse(body);
  if (!parsed.success) return apiValidationError(parsed.error);
  const input = parsed.data;

  const unit = await findUnitBySlug(input.unit);
  if (!unit) return apiError(404, "unit", `There is no business unit "${input.unit}".`);
  if (unit.id !== key.unitId) return apiError(403, "unit", `This API key cannot send for "${input.unit}".`);

  try {
    const result = await sendUnitRequest(unit, input);
    return Response.json(
      { id: result.id, status: result.status, repeated: result.repeated, refusedReason: result.refusedReason },
      { status: 202 },
    );
  } catch (error) {
    if (error instanceof TransactionalRequestError) return apiError(error.status, error.field, error.message);
    throw error;
  }
}
