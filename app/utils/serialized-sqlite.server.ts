import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  Transaction,
} from "@prisma/driver-adapter-utils";

// Prisma's better-sqlite3 adapter has one connection. Its transactions queue on a lock, but a
// plain query does not: issued while another request's interactive transaction is open, it runs
// inside that transaction, sees its uncommitted rows, and is rolled back with it. This wrapper
// puts plain queries on the same queue as transactions, so each runs on its own.

type Lock = () => Promise<() => void>;

function createLock(): Lock {
  let tail = Promise.resolve();
  return async () => {
    let release!: () => void;
    const previous = tail;
    tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  };
}

async function locked<T>(lock: Lock, work: () => Promise<T>): Promise<T> {
  const release = await lock();
  try {
    return await work();
  } finally {
    release();
  }
}

function serialize(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const lock = createLock();
  return new Proxy(adapter, {
    get(target, property, receiver) {
      switch (property) {
        case "queryRaw":
        case "executeRaw":
        case "executeScript":
          return (...args: unknown[]) => locked(lock, () => (target[property] as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        case "startTransaction":
          return async (...args: unknown[]) => {
            const release = await lock();
            try {
              return endsWith(await beginImmediate(await target.startTransaction(...(args as []))), release);
            } catch (error) {
              release();
              throw error;
            }
          };
        default: {
          const value = Reflect.get(target, property, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        }
      }
    },
  });
}

const statement = (sql: string) => ({ sql, args: [], argTypes: [] });

/**
 * The adapter begins DEFERRED. Under WAL, a deferred transaction that has read cannot write once
 * another connection (the sender, the one-click thread) has committed since: SQLITE_BUSY_SNAPSHOT,
 * with no busy wait. Beginning IMMEDIATE takes the write lock first, waiting out other writers
 * within the busy timeout, so a transaction never fails halfway. (The engine sends its own
 * COMMIT or ROLLBACK; the adapter's commit() only frees its mutex.)
 */
async function beginImmediate(transaction: Transaction): Promise<Transaction> {
  try {
    await transaction.executeRaw(statement("ROLLBACK"));
    await transaction.executeRaw(statement("BEGIN IMMEDIATE"));
    return transaction;
  } catch (error) {
    await transaction.rollback();
    throw error;
  }
}

/** The transaction frees the queue when it commits or rolls back. */
function endsWith(transaction: Transaction, release: () => void): Transaction {
  return new Proxy(transaction, {
    get(target, property, receiver) {
      if (property === "commit" || property === "rollback") {
        return async () => {
          try {
            return await target[property]();
          } finally {
            release();
          }
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export function serializedSqlite(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => serialize(await factory.connect()),
    connectToShadowDb: async () => serialize(await factory.connectToShadowDb()),
  };
}
