import { db } from "~/utils/db.server.ts";

/**
 * Counts one attempt against a fixed-window limit shared by every process (the counter is a
 * database row). Returns whether the attempt is allowed and, if not, when to try again.
 */
export async function takeThrottle(
  key: string,
  limit: number,
  windowMs: number,
  now = new Date(),
): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  return db.$transaction(async (tx) => {
    const row = await tx.throttle.findUnique({ where: { key } });
    const windowOver = !row || now.getTime() - row.windowStartsAt.getTime() >= windowMs;
    const next = windowOver ? { windowStartsAt: now, count: 1 } : { windowStartsAt: row.windowStartsAt, count: row.count + 1 };
    await tx.throttle.upsert({ where: { key }, create: { key, ...next }, update: next });
    const retryAfterSeconds = Math.ceil((next.windowStartsAt.getTime() + windowMs - now.getTime()) / 1000);
    return { allowed: next.count <= limit, retryAfterSeconds };
  });
}
