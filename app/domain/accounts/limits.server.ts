import { takeThrottle } from "~/domain/throttle/throttle.server.ts";

export type Throttled = { outcome: "throttled"; retryAfterSeconds: number };

/** Takes one attempt from each limit; when any is used up, the longest wait is the answer. */
export async function takeThrottles(limits: { key: string; limit: number; windowMs: number }[], now: Date): Promise<Throttled | null> {
  let retryAfterSeconds = 0;
  for (const { key, limit, windowMs } of limits) {
    const taken = await takeThrottle(key, limit, windowMs, now);
    if (!taken.allowed) retryAfterSeconds = Math.max(retryAfterSeconds, taken.retryAfterSeconds);
  }
  return retryAfterSeconds > 0 ? { outcome: "throttled", retryAfterSeconds } : null;
}

/** Limits keyed by address and by IP (when known), in one window. */
export function addressAndIpLimits(
  name: string,
  addressKey: string,
  ip: string | null,
  limits: { perAddress: number; perIp: number; windowMs: number },
) {
  return [
    { key: `${name}:address:${addressKey}`, limit: limits.perAddress, windowMs: limits.windowMs },
    ...(ip ? [{ key: `${name}:ip:${ip}`, limit: limits.perIp, windowMs: limits.windowMs }] : []),
  ];
}
