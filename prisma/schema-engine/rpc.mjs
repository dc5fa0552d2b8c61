// JSON-RPC 2.0 over stdio, as the native engine speaks it to the Prisma CLI:
// one JSON object per line each way. Requests are handled strictly one at a
// time; responses to our own requests (the `print` call) are dispatched at
// once, since they arrive while a request is still being handled.
import readline from "node:readline";

export function startRpcServer({ handle, onClose }) {
  let nextOwnId = 1;
  const pendingOwn = new Map();
  const queue = [];
  let busy = false;
  let closed = false;

  const send = (message) => process.stdout.write(JSON.stringify(message) + "\n");

  /** Sends a request to the CLI and resolves with its result. */
  const call = (method, params) =>
    new Promise((resolve, reject) => {
      const id = `se-${nextOwnId++}`;
      pendingOwn.set(id, { resolve, reject });
      send({ jsonrpc: "2.0", id, method, params });
    });

  const pump = async () => {
    if (busy) return;
    busy = true;
    while (queue.length > 0) {
      const request = queue.shift();
      const reply = await handle(request, { call });
      if (reply !== undefined && request.id !== undefined && request.id !== null) {
        send({ jsonrpc: "2.0", id: request.id, ...reply });
      }
    }
    busy = false;
    if (closed) await onClose();
  };

  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  input.on("line", (line) => {
    if (!line.trim()) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    if (message.method === undefined && pendingOwn.has(message.id)) {
      const { resolve, reject } = pendingOwn.get(message.id);
      pendingOwn.delete(message.id);
      if (message.error) reject(new Error(message.error.message ?? "RPC error"));
      else resolve(message.result);
      return;
    }
    queue.push(message);
    void pump();
  });
  // The CLI ends the session by closing our stdin: finish queued work, then
  // exit (the Wasm engine may leave timers behind that would keep us alive).
  input.on("close", () => {
    closed = true;
    for (const { reject } of pendingOwn.values()) reject(new Error("stdin closed"));
    pendingOwn.clear();
    if (!busy) void onClose();
  });
}
