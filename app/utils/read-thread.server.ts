import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import {
  DriverAdapterError,
  type Error as DriverError,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
  type TransactionOptions,
} from "@prisma/driver-adapter-utils";

// better-sqlite3 answers synchronously: a long read on the thread that answers HTTP stops every
// other request until it ends. This adapter runs a read-only connection in a thread of its own;
// the thread holds Prisma's own better-sqlite3 adapter, so rows and errors are the ones db gives.

export type ReadThreadOptions = {
  databaseFile: string;
  /** How long a read waits for a writer's lock before it fails (SQLITE_BUSY). */
  busyTimeoutMs?: number;
  /** A read still unanswered after this long fails, and the next read starts on a new thread. */
  maxReadMs?: number;
};

// Plain JavaScript loaded from a data: URL, so it runs the same under vitest, tsx and the Remix
// bundle (no file to find or bundle). It imports only the adapter, by the absolute URL given.
const THREAD_SOURCE = `
import { parentPort, workerData } from "node:worker_threads";
const { PrismaBetterSqlite3 } = await import(workerData.adapterModule);
const connecting = Promise.resolve().then(() =>
  new PrismaBetterSqlite3({ url: workerData.databaseFile, readonly: true, timeout: workerData.busyTimeoutMs }).connect());
connecting.finally(() => parentPort.postMessage({ ready: true })).catch(() => {});
const transactions = new Map();
let lastTransaction = 0;
async function run(adapter, { call, transaction, arg }) {
  if (call === "startTransaction") {
    const opened = await adapter.startTransaction(arg);
    transactions.set(++lastTransaction, opened);
    return { transaction: lastTransaction, options: opened.options };
  }
  if (transaction === undefined) return adapter[call](arg);
  const target = transactions.get(transaction);
  if (call === "commit" || call === "rollback") transactions.delete(transaction);
  return target[call](arg);
}
parentPort.on("message", async (request) => {
  try {
    parentPort.postMessage({ id: request.id, value: await run(await connecting, request) });
  } catch (error) {
    const driver = error?.name === "DriverAdapterError" ? error.cause : undefined;
    parentPort.postMessage({ id: request.id, error: { driver, name: error?.name ?? "Error", message: String(error?.message ?? error) } });
  }
});
`;
const THREAD_URL = new URL(`data:text/javascript,${encodeURIComponent(THREAD_SOURCE)}`);

type Call = "queryRaw" | "executeRaw" | "executeScript" | "startTransaction" | "dispose" | "commit" | "rollback" | "createSavepoint" | "rollbackToSavepoint" | "releaseSavepoint";
type Failure = { driver?: DriverError; name: string; message: string };
type Answer = { id: number; value?: unknown; error?: Failure } | { ready: true };
type Waiting = { resolve: (value: unknown) => void; reject: (error: Error) => void; maxReadMs: number; timer?: NodeJS.Timeout };
type ThreadData = { adapterModule: string; databaseFile: string; busyTimeoutMs: number };

const ADAPTER_NAME = "read-thread (@prisma/adapter-better-sqlite3)";

/** The error a failed read gets on the main thread: Prisma's own for database errors. */
function errorOf({ driver, name, message }: Failure): Error {
  if (driver) {
    if (driver.originalCode?.startsWith("SQLITE_READONLY") && driver.kind === "sqlite") {
      const hint = "(readDb is read-only: write through db)";
      return new DriverAdapterError({ ...driver, message: `${driver.message} ${hint}`, originalMessage: `${driver.originalMessage} ${hint}` });
    }
    return new DriverAdapterError(driver);
  }
  return Object.assign(new Error(message), { name });
}

/** A thread with its connection, and the reads it holds. */
class Thread {
  readonly worker: Worker;
  readonly #waiting = new Map<number, Waiting>();
  #lastId = 0;
  #stopping: string | null = null;
  #ready = false;

  constructor(
    workerData: ThreadData,
    private readonly onStop: () => void,
  ) {
    this.worker = new Worker(THREAD_URL, { workerData, execArgv: [] }); // plain JavaScript: not tsx's or vitest's loaders
    this.worker.unref(); // an idle thread never keeps the process alive; a pending read does (see call)
    let failure: Error | undefined;
    this.worker.on("message", (answer: Answer) => {
      if ("ready" in answer) {
        this.#ready = true;
        for (const waiting of this.#waiting.values()) this.#arm(waiting);
        return;
      }
      const { id, value, error } = answer;
      const waiting = this.#waiting.get(id);
      if (!waiting) return;
      this.#forget(id, waiting);
      if (error) waiting.reject(errorOf(error));
      else waiting.resolve(value);
    });
    this.worker.on("error", (error) => (failure = error));
    this.worker.on("exit", (code) => {
      this.onStop();
      this.#failAll(this.#stopping ?? (failure ? `${(failure as NodeJS.ErrnoException).code ?? failure.name}: ${failure.message}` : `exit code ${code}`));
    });
  }

  call(call: Call, maxReadMs: number, arg?: unknown, transaction?: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = ++this.#lastId;
      if (this.#waiting.size === 0) this.worker.ref();
      const waiting: Waiting = { resolve, reject, maxReadMs };
      this.#waiting.set(id, waiting);
      if (this.#ready) this.#arm(waiting);
      try {
        this.worker.postMessage({ id, call, arg, transaction });
      } catch (error) {
        // A query whose arguments cannot be copied to the thread fails alone.
        this.#forget(id, waiting);
        reject(error as Error);
      }
    });
  }

  /** Fails the reads it holds now; SQLite cannot be interrupted, so the thread itself ends when its statement does. */
  stop(why: string): void {
    if (this.#stopping) return;
    this.#stopping = why;
    this.onStop();
    this.#failAll(why);
    void this.worker.terminate();
  }

  /** Reads run in order, so the first timer to fire is the oldest read's: the thread has been stuck that long. */
  #arm(waiting: Waiting) {
    waiting.timer = setTimeout(() => this.stop(`a read went unanswered for ${waiting.maxReadMs} ms`), waiting.maxReadMs);
  }

  #forget(id: number, waiting: Waiting) {
    clearTimeout(waiting.timer);
    this.#waiting.delete(id);
    if (this.#waiting.size === 0) this.worker.unref();
  }

  #failAll(why: string) {
    const held = [...this.#waiting.entries()];
    for (const [id, waiting] of held) {
      this.#forget(id, waiting);
      waiting.reject(new Error(`The read thread stopped before it answered (${why}). This read failed; the next read starts a new thread.`));
    }
  }
}

/** One connection: a thread started at its first read, and again at the first read after one stopped. */
class ReadConnection {
  #current: Thread | null = null;

  constructor(
    private readonly workerData: ThreadData,
    readonly maxReadMs: number,
  ) {}

  get running(): Thread | null {
    return this.#current;
  }

  thread(): Thread {
    if (this.#current) return this.#current;
    const thread: Thread = new Thread(this.workerData, () => {
      if (this.#current === thread) this.#current = null;
    });
    return (this.#current = thread);
  }
}

function transactionOn(connection: ReadConnection, thread: Thread, id: number, options: TransactionOptions): Transaction {
  const call = (name: Call, arg?: unknown) => {
    if (connection.running !== thread) {
      return Promise.reject(new Error("The read thread stopped during this transaction. The transaction failed; the next read starts a new thread."));
    }
    return thread.call(name, connection.maxReadMs, arg, id);
  };
  return {
    provider: "sqlite",
    adapterName: ADAPTER_NAME,
    options,
    queryRaw: (query: SqlQuery) => call("queryRaw", query) as Promise<SqlResultSet>,
    executeRaw: (query: SqlQuery) => call("executeRaw", query) as Promise<number>,
    commit: () => call("commit") as Promise<void>,
    rollback: () => call("rollback") as Promise<void>,
    createSavepoint: (name: string) => call("createSavepoint", name) as Promise<void>,
    rollbackToSavepoint: (name: string) => call("rollbackToSavepoint", name) as Promise<void>,
    releaseSavepoint: (name: string) => call("releaseSavepoint", name) as Promise<void>,
  };
}

function adapterOn(connection: ReadConnection): SqlDriverAdapter {
  const call = (name: Call, arg?: unknown) => connection.thread().call(name, connection.maxReadMs, arg);
  return {
    provider: "sqlite",
    adapterName: ADAPTER_NAME,
    queryRaw: (query: SqlQuery) => call("queryRaw", query) as Promise<SqlResultSet>,
    executeRaw: (query: SqlQuery) => call("executeRaw", query) as Promise<number>,
    executeScript: (script: string) => call("executeScript", script) as Promise<void>,
    async startTransaction(isolationLevel?: IsolationLevel) {
      const thread = connection.thread();
      const { transaction, options } = (await thread.call("startTransaction", connection.maxReadMs, isolationLevel)) as { transaction: number; options: TransactionOptions };
      return transactionOn(connection, thread, transaction, options);
    },
    async dispose() {
      const thread = connection.running;
      if (!thread) return; // never started, or already stopped: nothing to close
      await thread.call("dispose", connection.maxReadMs);
      await thread.worker.terminate();
    },
  };
}

/** A Prisma driver adapter factory for a read-only SQLite connection whose statements run on a worker thread. */
export function sqliteReadThread({ databaseFile, busyTimeoutMs = 5000, maxReadMs = 60_000 }: ReadThreadOptions): SqlDriverAdapterFactory {
  // Resolved here, where node_modules is reachable from this module (or the bundle that holds it).
  const adapterModule = pathToFileURL(createRequire(import.meta.url).resolve("@prisma/adapter-better-sqlite3")).href;
  return {
    provider: "sqlite",
    adapterName: ADAPTER_NAME,
    connect: async () => adapterOn(new ReadConnection({ adapterModule, databaseFile, busyTimeoutMs }, maxReadMs)),
  };
}
