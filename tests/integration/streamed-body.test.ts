import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { writeStreamedBody } from "../../scripts/http-edge.ts";

// A streamed answer (the ledger's CSV) is read only as fast as the client takes it: a slow client
// must not make the server hold the whole file, and a client that leaves stops the export.

/** A source of `count` chunks that counts how many were asked for and whether it was cancelled. */
function countedSource(count: number) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === count) return controller.close();
      state.pulled += 1;
      controller.enqueue(new TextEncoder().encode(`chunk ${state.pulled}\n`));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

/** A socket-like destination that takes one chunk and then holds every write until released. */
function heldDestination() {
  const received: string[] = [];
  const held: (() => void)[] = [];
  const writable = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, done) {
      received.push(chunk.toString());
      held.push(done);
    },
  });
  const release = () => held.splice(0).forEach((done) => done());
  return { writable, received, release, heldCount: () => held.length };
}

const turnOfTheEventLoop = () => new Promise((resolve) => setImmediate(resolve));

describe("a streamed answer body", () => {
  it("reads the next chunk only once the client has taken the last", async () => {
    const { stream, state } = countedSource(100);
    const destination = heldDestination();
    const writing = writeStreamedBody(stream, destination.writable);
    await turnOfTheEventLoop();
    // One chunk written and held, at most one read ahead by the stream itself.
    expect(state.pulled).toBeLessThanOrEqual(3);
    while (destination.received.length < 100) {
      await new Promise<void>((resolve) => {
        destination.release();
        setImmediate(resolve);
      });
    }
    destination.release();
    await writing;
    expect(destination.received).toEqual(Array.from({ length: 100 }, (_, i) => `chunk ${i + 1}\n`));
    expect(destination.writable.writableEnded).toBe(true);
  });

  it("stops reading the source when the client goes away", async () => {
    const { stream, state } = countedSource(100);
    const destination = heldDestination();
    const writing = writeStreamedBody(stream, destination.writable);
    await turnOfTheEventLoop();
    destination.writable.destroy();
    await writing;
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThanOrEqual(3);
  });
});
