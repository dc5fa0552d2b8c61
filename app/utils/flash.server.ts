import { createCookie, redirect } from "@remix-run/node";
import { getEnv } from "./env.server.ts";

// Post, then redirect, then show (ADR 050): a page posted without JavaScript answers with a 303 to
// itself, so a refresh never posts again, and the outcome travels in this one-read cookie. It holds
// only what the next page says ("Your preferences are saved."), lives a minute, and is signed so a
// crafted one cannot put words on our page.

let flashCookie: ReturnType<typeof createCookie> | undefined;
function cookie() {
  const env = getEnv();
  flashCookie ??= createCookie("pc_flash", {
    httpOnly: true,
    sameSite: "lax",
    secure: env.NODE_ENV !== "development",
    path: "/",
    maxAge: 60,
    secrets: [env.SESSION_SECRET],
  });
  return flashCookie;
}

/** A 303 to `to` that carries `outcome` to the page drawn there. */
export async function redirectWithFlash(to: string, outcome: unknown): Promise<Response> {
  return redirect(to, { status: 303, headers: { "Set-Cookie": await cookie().serialize(outcome) } });
}

/** The outcome a redirect carried here (or null), and the header that clears it so a reload does not show it again. */
export async function takeFlash<T>(request: Request): Promise<{ outcome: T | null; headers: HeadersInit }> {
  const header = request.headers.get("cookie");
  if (!header?.includes("pc_flash=")) return { outcome: null, headers: {} };
  const outcome = ((await cookie().parse(header)) ?? null) as T | null;
  return { outcome, headers: { "Set-Cookie": await cookie().serialize("", { maxAge: 0 }) } };
}
