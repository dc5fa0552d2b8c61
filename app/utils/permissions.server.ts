import { data, redirect } from "@remix-run/node";
import { readSignedInUser, type SignedInUser } from "~/domain/accounts/sessions.server.ts";
import { staffOf, type Staff } from "~/domain/accounts/staff.server.ts";
import { NotFoundError } from "~/domain/not-found.ts";

// Who may see a page, and how a route says no. Routes call these guards; domain code never
// throws HTTP answers: it says "not found" with NotFoundError, and routes turn that into the 404.
// Pages answer with data() for the error page; resource routes (downloads, framed documents)
// have no error page, so their guards answer in plain text with the same status and message.

/** How a refusal is answered: data() for a page's error boundary, or plain text for a resource route. */
export type Answer = "page" | "plain text";

const NOTHING_HERE = "There is nothing here, or it is not yours to see.";

/** A plain-text answer with its status, never cached, never sniffed. */
export function plainTextAnswer(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", ...headers },
  });
}

/** A 404 for anything a person may not see: it does not say whether the thing exists. */
export function notFound(message = NOTHING_HERE, answer: Answer = "page"): never {
  if (answer === "plain text") throw plainTextAnswer(404, message);
  throw data({ message }, { status: 404, headers: { "Cache-Control": "no-store" } });
}

/** The signed-in user; anyone else is sent to /login, which brings them back here afterwards. */
export async function requireUser(request: Request, now = new Date()): Promise<SignedInUser> {
  const user = await readSignedInUser(request, now);
  if (user) return user;
  const url = new URL(request.url);
  throw redirect(`/login?${new URLSearchParams({ redirectTo: `${url.pathname}${url.search}` })}`, {
    headers: { "Cache-Control": "no-store" },
  });
}

/** The signed-in marketer or admin; subscribers get a 404, people not signed in go to /login. */
export async function requireStaff(request: Request, answer: Answer = "page"): Promise<Staff> {
  return (await staffOf(await requireUser(request))) ?? notFound(NOTHING_HERE, answer);
}

/** The signed-in admin; everyone else gets a 404 (or goes to /login). */
export async function requireAdmin(request: Request, answer: Answer = "page"): Promise<Staff> {
  const staff = await requireStaff(request, answer);
  return staff.role === "ADMIN" ? staff : notFound(NOTHING_HERE, answer);
}

/** A loader or action whose domain calls may say NotFoundError: that becomes the 404 here. */
export async function answering404<Result>(work: () => Promise<Result>): Promise<Result> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
}
