import { db } from "~/utils/db.server.ts";

export function findUnitBySlug(slug: string) {
  return db.businessUnit.findUnique({ where: { slug } });
}
