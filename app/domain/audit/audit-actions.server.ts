import { db } from "~/utils/db.server.ts";

/** Every action the audit log holds, for the filter's suggestions on /admin/audit. */
export async function knownAuditActions(): Promise<string[]> {
  const rows = await db.auditEvent.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } });
  return rows.map((r) => r.action);
}
