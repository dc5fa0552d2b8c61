// POST /u/<token>: RFC 8058 one-click, answered on node:http before Express and Remix see the
// request (ADR 008). Mailbox providers post with no Origin and no cookies. Every other post to
// that path — the page's own form (browsers send an Origin), a bad token, an erased contact —
// goes on to Express, with the body this handler already read, and the page route answers it.

import type { IncomingMessage, ServerResponse } from "node:http";
import { Worker } from "node:worker_threads";
import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from "express";
import { createRequestHandler, writeReadableStreamToWritable, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import type { Requester } from "../app/utils/request.server.ts";
import type { OneClickWriter } from "../app/domain/unsubscribe/one-click.server.ts";
import type { OneClickAnswer, OneClickWrite } from "../app/domain/unsubscribe/one-click-writes.server.ts";
import { clientIp, logRequest } from "./access-log.ts";

type OneClickEntry = {
  isOneClickBody(contentType: string | undefined, body: Uint8Array): Promise<boolean>;
  answerOneClick(token: string, requester: Requester): Promise<OneClickAnswer | null>;
  writeOneClicksWith(writer: OneClickWriter | null): void;
};

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const ONE_CLICK_PATH = /^\/u\/([^/?]+)(\?.*)?$/;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The same small document for every answer to the same link: a repeat answers exactly as the first did. */
function confirmation(unitName: string): string {
  const name = escapeHtml(unitName);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Unsubscribed — ${name}</title></head><body><main><h1>You are unsubscribed from ${name} promotional email</h1><p>Messages about your accounts and requests with ${name} continue.</p></main></body></html>`;
}

/**
 * Wraps the Express app: a one-click POST is answered here; everything else, and anything this
 * path cannot answer, is handed to `next` (Express), untouched or with `req.body` already read.
 */
export function oneClickListener(build: ServerBuild, next: Listener, maxBodyBytes: number, writerFile: string): Listener {
  const entry = build.entry.module as unknown as OneClickEntry;
  entry.writeOneClicksWith(writerThread(writerFile, entry));
  return (req, res) => {
    const token = req.method === "POST" && req.headers.origin === undefined ? ONE_CLICK_PATH.exec(req.url ?? "")?.[1] : undefined;
    if (token === undefined || Number(req.headers["content-length"] ?? 0) > maxBodyBytes) return next(req, res);
    const startedAt = performance.now();
    const ip = clientIp(req);
    const answer = (status: number, type: string, text: string) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", "Content-Length": Buffer.byteLength(text) }).end(text);
      logRequest(ip, req.method!, req.url!, status, startedAt);
    };
    readBody(req, maxBodyBytes)
      .then(async (body) => {
        if (body === null) return answer(413, "text/plain; charset=utf-8", "That request is too large.");
        const handOn = () => {
          Object.assign(req, { body, _body: true }); // body-parser skips a request whose body was read
          next(req, res);
        };
        if (!(await entry.isOneClickBody(req.headers["content-type"], body))) return handOn();
        const requester = { ip, userAgent: req.headers["user-agent"]?.slice(0, 500) ?? null };
        const done = await entry.answerOneClick(token, requester);
        if (!done) return handOn();
        answer(200, "text/html; charset=utf-8", confirmation(done.unitName));
      })
      .catch((error: unknown) => {
        console.error(error);
        if (!res.headersSent) answer(500, "text/plain; charset=utf-8", "Something went wrong. Please try again.");
      });
  };
}

/**
 * Opt-outs go to the writer thread and come back answered. If the thread stops, the requests
 * it held fail (a 500; mailbox providers retry) and later ones are written in this thread, as
 * in `remix dev`.
 */
function writerThread(file: string, entry: OneClickEntry): OneClickWriter {
  type Waiting = { resolve: (answer: OneClickAnswer | null) => void; reject: (error: Error) => void };
  const pending = new Map<number, Waiting[]>();
  let lastId = 0;
  let stopped = false;
  // Requests of one event-loop turn travel together: one message each way per turn, not per request.
  let turn: { writes: OneClickWrite[]; waiting: Waiting[] } | null = null;
  const failAll = (waiting: Waiting[]) => waiting.forEach((w) => w.reject(new Error("The one-click writer thread stopped.")));
  const thread = new Worker(file);
  thread.unref(); // the HTTP server keeps the process alive, not this thread
  thread.on("message", ({ id, results }: { id: number; results: { answer?: OneClickAnswer | null; error?: string }[] }) => {
    const waiting = pending.get(id) ?? [];
    pending.delete(id);
    waiting.forEach((w, i) => (results[i].error === undefined ? w.resolve(results[i].answer ?? null) : w.reject(new Error(results[i].error))));
  });
  thread.on("error", (error) => console.error(`One-click writer thread failed: ${error.message}`));
  thread.on("exit", () => {
    console.error("One-click writer thread stopped: one-click opt-outs are written in the main thread from now on.");
    stopped = true;
    entry.writeOneClicksWith(null);
    for (const waiting of pending.values()) failAll(waiting);
    pending.clear();
  });
  return (write) =>
    new Promise((resolve, reject) => {
      if (!turn) {
        const current = (turn = { writes: [], waiting: [] });
        setImmediate(() => {
          turn = null;
          // The thread stopped after these requests joined the turn: nobody would answer them.
          if (stopped) return failAll(current.waiting);
          const id = ++lastId;
          pending.set(id, current.waiting);
          thread.postMessage({ id, writes: current.writes });
        });
      }
      turn.writes.push(write);
      turn.waiting.push({ resolve, reject });
    });
}

/** The whole body, or null once it grows past `limit` (a chunked body has no length to check first). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > limit ? null : Buffer.concat(chunks, size)));
    req.on("error", reject);
  });
}

/** The page route for posts that were read before Remix: Remix gets a Request carrying that body. */
export function unsubscribePagePost(build: ServerBuild, getLoadContext: (req: ExpressRequest) => AppLoadContext): RequestHandler {
  const remix = createRequestHandler(build, process.env.NODE_ENV);
  return async (req, res, next) => {
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      await sendRemixResponse(res, await remix(remixRequest(req, res, body), getLoadContext(req)));
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
