import http from "node:http";

// Requests fetch() refuses to make (TRACE, bodies on any method, chunked bodies, exact headers),
// sent the way any client on the network can send them.

export type RawAnswer = { status: number; headers: http.IncomingHttpHeaders; body: string };

export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? "GET", headers: options.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

/**
 * Streams `bytes` of body with Transfer-Encoding: chunked (no Content-Length), stopping early if
 * the server answers first; resolves with the answer and how much was sent by then.
 */
export function chunkedUpload(
  url: string,
  bytes: number,
  headers: Record<string, string> = {},
  chunk: Buffer = Buffer.alloc(64 * 1024, "a"),
): Promise<RawAnswer & { sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const request = http.request(url, { method: "POST", headers: { ...headers, "Transfer-Encoding": "chunked" }, agent: false }, (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => {
        resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString("utf8"), sent });
        request.destroy();
      });
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && sent < bytes) {
        const part = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        sent += part.length;
        if (!request.write(part)) return void request.once("drain", pump);
      }
      if (!answered) request.end();
    };
    pump();
  });
}
