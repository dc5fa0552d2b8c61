// POST /u/<token>: RFC 8058 one-click, answered on node:http before Express and Remix see the
// request (ADR 008). Mailbox providers post with no Origin and no cookies. Every other post to
// that path — the page's own form (browsers send an Origin), a bad token, an erased contact —
// goes on to Express, and the page route answers it. The edge in front (http-edge.ts) has read
// the body, within its limit.

import type { IncomingMessage, ServerResponse } from "node:http";
import { Worker } from "node:worker_threads";
import type { ServerBuild } from "@remix-run/node";
import type { Requester } from "../app/utils/request.server.ts";
import type { OneClickWriter } from "../app/domain/unsubscribe/one-click.server.ts";
import type { OneClickAnswer, OneClickWrite } from "../app/domain/unsubscribe/one-click-batch.server.ts";
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
 * path cannot answer, is handed to `next` (Express), with `req.body` as the edge read it.
 */
export function oneClickListener(build: ServerBuild, next: Listener, writerFile: string | null): Listener {
  const entry = build.entry.module as unknown as OneClickEntry;
  // Without a writer file, opt-outs are written in this thread (ONE_CLICK_WRITER=main).
  if (writerFile) entry.writeOneClicksWith(writerThread(writerFile, entry));
  return (req, res) => {
    const token = req.method === "POST" && req.headers.origin === undefined ? ONE_CLICK_PATH.exec(req.url ?? "")?.[1] : undefined;
    const body = (req as IncomingMessage & { body?: unknown }).body;
    if (token === undefined || !Buffer.isBuffer(body)) return next(req, res);
    const startedAt = performance.now();
    const ip = clientIp(req);
    const answer = (status: number, type: string, text: string) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", "Content-Length": Buffer.byteLength(text) }).end(text);
      logRequest(ip, req.method!, req.url!, status, startedAt);
    };
    const handOn = () => next(req, res);
    (async () => {
      if (!(await entry.isOneClickBody(req.headers["content-type"], body))) return handOn();
      const requester = { ip, userAgent: req.headers["user-agent"]?.slice(0, 500) ?? null };
      const done = await entry.answerOneClick(token, requester);
      if (!done) return handOn();
      answer(200, "text/html; charset=utf-8", confirmation(done.unitName));
    })().catch((error: unknown) => {
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
  // It writes one transaction at a time: on PostgreSQL one connection is all it needs of the pool.
  const thread = new Worker(file, { env: { ...process.env, DATABASE_POOL_SIZE: "1" } });
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
          try {
            thread.postMessage({ id, writes: current.writes });
          } catch (error) {
            // A write that cannot be copied to the thread fails its requests, not the process.
            const failed = pending.get(id) ?? [];
            pending.delete(id);
            failed.forEach((w) => w.reject(error as Error));
          }
        });
      }
      turn.writes.push(write);
      turn.waiting.push({ resolve, reject });
    });
}
