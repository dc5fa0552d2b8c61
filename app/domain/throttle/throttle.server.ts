import { db, type Db } from "~/utils/db.server.ts";

/**
 * Counts one attempt against a fixed-window limit shared by every process (the counter is a
 * database row). Returns whether the attempt is allowed and, if not, when to try again.
 *
 * One statement, so it holds under concurrent requests on any number of connections: a read
 * and a separate write let parallel attempts all read the same count (on PostgreSQL under
 * READ COMMITTED) or fail on a busy database (SQLite across processes). Portable SQL.
 */
export async function takeThrottle(
  key: string,
  limit: number,
  windowMs: number,
  now = new Date(),
  client: Db = db,
): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  const windowOverIfBefore = new Date(now.getTime() - windowMs);
  const [row] = await client.$queryRaw<{ count: number | bigint; windowStartsAt: Date }[]>`
    INSERT INTO "Throttle" ("key", "windowStartsAt", "count") VALUES (${key}, ${now}, 1)
    ON CONFLICT ("key") DO UPDATE SET
      "count" = CASE WHEN "Throttle"."windowStartsAt" <= ${windowOverIfBefore} THEN 1 ELSE "Throttle"."count" + 1 END,
      "windowStartsAt" = CASE WHEN "Throttle"."windowStartsAt" <= ${windowOverIfBefore} THEN ${now} ELSE "Throttle"."windowStartsAt" END
    RETURNING "count", "windowStartsAt"`;
  const retryAfterSeconds = Math.ceil((new Date(row.windowStartsAt).getTime() + windowMs - now.getTime()) / 1000);
  return { allowed: Number(row.count) <= limit, retryAfterSeconds };
}

/** Gives one attempt back: the limit was taken before an outcome that does not count (a right password). */
export async function giveBackThrottle(key: string, client: Db = db): Promise<void> {
  await client.$executeRaw`UPDATE "Throttle" SET "count" = "count" - 1 WHERE "key" = ${key} AND "count" > 0`;
}
