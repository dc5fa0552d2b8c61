// POST /u/<token>: RFC 8058 one-click answered before Remix renders a page (ADR 008). Any other
// post to that path — the page's own form, a bad token, an erased contact — goes on to Remix
// with the body this handler already read.

import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from "express";
import { createRequestHandler, writeReadableStreamToWritable, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import type { Requester } from "../app/utils/request.server.ts";

type OneClickEntry = {
  isOneClickBody(contentType: string | undefined, body: Uint8Array): Promise<boolean>;
  answerOneClick(token: string, requester: Requester): Promise<{ unitName: string } | null>;
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The same small document for every answer to the same link: a repeat answers exactly as the first did. */
function confirmation(unitName: string): string {
  const name = escapeHtml(unitName);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Unsubscribed — ${name}</title></head><body><main><h1>You are unsubscribed from ${name} promotional email</h1><p>Messages about your accounts and requests with ${name} continue.</p></main></body></html>`;
}

export function oneClickRoute(build: ServerBuild, getLoadContext: (req: ExpressRequest) => AppLoadContext): RequestHandler {
  const entry = build.entry.module as unknown as OneClickEntry;
  const remix = createRequestHandler(build, process.env.NODE_ENV);
  return async (req, res, next) => {
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const context = getLoadContext(req);
      if (await entry.isOneClickBody(req.get("content-type"), body)) {
        const requester = { ip: context.ip ?? null, userAgent: req.get("user-agent")?.slice(0, 500) ?? null };
        const answer = await entry.answerOneClick(req.params.token, requester);
        if (answer) {
          res.status(200).set({ "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).send(confirmation(answer.unitName));
          return;
        }
      }
      await sendRemixResponse(res, await remix(remixRequest(req, res, body), context));
    } catch (error) {
      next(error);
    }
  };
}

/** The Fetch request Remix expects, carrying the body that was already read from the socket. */
function remixRequest(req: ExpressRequest, res: ExpressResponse, body: Buffer): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
    else if (value !== undefined) headers.set(name, value);
  }
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return new Request(`${req.protocol}://${req.get("host")}${req.originalUrl}`, { method: req.method, headers, body: new Uint8Array(body), signal: controller.signal });
}

async function sendRemixResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}
