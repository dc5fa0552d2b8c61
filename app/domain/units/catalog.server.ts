import { db } from "~/utils/db.server.ts";
import { offeredChannels } from "~/domain/consent/channels.ts";

/** Every business unit with its open topics and its exempt (transactional) categories. */
export async function listUnitCatalog() {
  const units = await db.businessUnit.findMany({
    orderBy: { displayName: "asc" },
    select: {
      id: true,
      slug: true,
      displayName: true,
      legalName: true,
      brandColor: true,
      topics: {
        where: { archivedAt: null },
        orderBy: { name: "asc" },
        select: { id: true, name: true, description: true, offersEmail: true, offersPostal: true, offersPhone: true },
      },
      exemptCategories: {
        where: { archivedAt: null },
        orderBy: { name: "asc" },
        select: { id: true, name: true, reason: true },
      },
    },
  });
  return units.map(({ topics, ...unit }) => ({
    ...unit,
    topics: topics.map(({ offersEmail, offersPostal, offersPhone, ...topic }) => ({
      ...topic,
      channels: offeredChannels({ offersEmail, offersPostal, offersPhone }),
    })),
  }));
}
