// `npx prisma db seed` / `npm run db:seed`: fills an empty database with the demo group.
import { db } from "../app/utils/db.server.ts";
import { isDatabaseEmpty, seedDemoData } from "./demo-data.ts";

if (await isDatabaseEmpty(db)) {
  await seedDemoData(db);
} else {
  console.log("The database already has data; the demo seed only fills an empty database.");
}
await db.$disconnect();
