// What every request meets before any route (ADR 018): security headers, the methods the site
// takes, and a body read once, here, counting the bytes that arrive (a chunked body declares no
// length, so a limit on Content-Length alone lets any size through). Routes get the body read.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from "express";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import { clientIp, logRequest } from "./access-log.ts";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export type BodyLimit = { bytes: number; tooLarge: string };

export type EdgeOptions = {
  /** The largest body a POST to this path may carry, and what to say when it is larger. */
  bodyLimitFor(path: string): BodyLimit;
  /** PUBLIC_URL is https: browsers are told to come back over https only. */
  https: boolean;
  /** The server is shutting down: answers close their connection instead of keeping it. */
  closing(): boolean;
};

export const ALLOWED_METHODS = "GET, HEAD, POST";
const METHODS = new Set(ALLOWED_METHODS.split(", "));
// A body found too large is read to its end and dropped before the 413: answering first and
// closing would reset the connection while the client still sends, and it could lose the
// answer. A client still sending after this long gets the answer and the connection is closed.
const DRAIN_BEFORE_REFUSAL_MS = 10_000;

/** Headers every answer carries unless its route sets its own (the outbox's message frame does). */
export function securityHeaders(https: boolean): Record<string, string> {
  return {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    // Tokens sit in paths (/u/…, /p/…): never send them to another site as a Referer.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    ...(https ? { "Strict-Transport-Security": "max-age=31536000" } : {}),
  };
}

/** Wraps the rest of the server: answers here what no route should see, reads POST bodies within their limit. */
export function httpEdge(options: EdgeOptions, next: Listener): Listener {
  const headers = Object.entries(securityHeaders(options.https));
  return (req, res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    if (options.closing()) res.setHeader("Connection", "close");
    const startedAt = performance.now();
    const refuse = (status: number, text: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "Content-Length": Buffer.byteLength(text), ...extra }).end(text);
      logRequest(clientIp(req), req.method ?? "-", req.url ?? "-", status, startedAt);
    };
    if (!METHODS.has(req.method ?? "")) {
      return refuse(405, "This address takes GET and POST requests only.", { Allow: ALLOWED_METHODS });
    }
    if (req.method !== "POST") return next(req, res);
    const limit = options.bodyLimitFor(new URL(req.url ?? "/", "http://localhost").pathname);
    if (Number(req.headers["content-length"] ?? 0) > limit.bytes) return refuse(413, limit.tooLarge);
    readBodyWithin(req, limit.bytes).then(
      (body) => {
        if (body === "too large") return refuse(413, limit.tooLarge);
        if (body === "still sending") return refuse(413, limit.tooLarge, { Connection: "close" });
        Object.assign(req, { body, _body: true }); // body-parser skips a request whose body was read
        next(req, res);
      },
      () => {
        // The client went away mid-body: nobody is left to answer.
        req.socket.destroy();
      },
    );
  };
}

/** The whole body, or why not: more than `limit` bytes arrived (kept: none of them). */
function readBodyWithin(req: IncomingMessage, limit: number): Promise<Buffer | "too large" | "still sending"> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let deadline: NodeJS.Timeout | undefined;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (deadline === undefined) {
        chunks = [];
        deadline = setTimeout(() => resolve("still sending"), DRAIN_BEFORE_REFUSAL_MS).unref();
      }
    });
    req.on("end", () => {
      clearTimeout(deadline);
      resolve(size > limit ? "too large" : Buffer.concat(chunks, size));
    });
    req.on("error", (error) => {
      clearTimeout(deadline);
      reject(error);
    });
  });
}

/**
 * Remix behind the edge: the request Remix gets carries the body the edge already read, so no
 * route reads from the socket. A route's own security header replaces the edge's default.
 */
export function remixHandler(build: ServerBuild, getLoadContext: (req: ExpressRequest) => AppLoadContext): RequestHandler {
  const remix = createRequestHandler(build, process.env.NODE_ENV);
  return async (req, res, next) => {
    try {
      await sendRemixResponse(res, await remix(remixRequest(req, res), getLoadContext(req)));
    } catch (error) {
      next(error);
    }
  };
}

/** The Fetch request Remix expects, as Remix's Express adapter would build it, with the body already read. */
function remixRequest(req: ExpressRequest, res: ExpressResponse): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
    else if (value !== undefined) headers.set(name, value);
  }
  // req.hostname follows "trust proxy" (X-Forwarded-Host from this machine's proxy); the port comes from the same header.
  const port = /:(\d+)$/.exec(req.get("x-forwarded-host") ?? req.get("host") ?? "")?.[1];
  const url = `${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`;
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  // An empty body is no body: readForm reads it as an empty form.
  const body = req.method === "POST" && Buffer.isBuffer(req.body) && req.body.length > 0 ? new Uint8Array(req.body) : undefined;
  return new Request(url, { method: req.method, headers, body, signal: controller.signal });
}

async function sendRemixResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) {
    if (name === "set-cookie") res.append(name, value);
    else res.setHeader(name, value);
  }
  const policy = response.headers.get("content-security-policy");
  // A route's own policy that says nothing of framing still forbids it.
  if (policy !== null && !FRAME_ANCESTORS.test(policy)) res.setHeader("Content-Security-Policy", `${policy}; frame-ancestors 'none'`);
  const frameOptions = frameOptionsFor(policy);
  if (frameOptions) res.setHeader("X-Frame-Options", frameOptions);
  else res.removeHeader("X-Frame-Options");
  if (response.body) await writeStreamedBody(response.body, res);
  else res.end();
}

/**
 * Writes an answer's body as the client takes it: Node's pipeline reads the next chunk only once
 * the socket has drained (a slow client of a big export never makes the server hold the file),
 * and cancels the body when the client leaves, which stops the export.
 */
export async function writeStreamedBody(body: ReadableStream<Uint8Array>, writable: Writable): Promise<void> {
  try {
    // highWaterMark 1: no read-ahead beyond the chunk in hand.
    await pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>, { highWaterMark: 1 }), writable);
  } catch (error) {
    // A client that left is not an error of ours.
    if ((error as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE") throw error;
  }
}

/** X-Frame-Options to match a route's own frame-ancestors, for browsers that read only the older header. */
const FRAME_ANCESTORS = /(?:^|;)\s*frame-ancestors\s+([^;]*)/i;

function frameOptionsFor(policy: string | null): string | null {
  if (policy === null) return "DENY";
  const ancestors = FRAME_ANCESTORS.exec(policy)?.[1].trim();
  if (ancestors === undefined || ancestors === "'none'") return "DENY";
  return ancestors === "'self'" ? "SAMEORIGIN" : null;
}
