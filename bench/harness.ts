// What the benchmarks share: cleanup on every way out, a deadline, child processes measured
// through /proc, a freshly migrated SQLite file, and small formatting helpers.

import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { execFileSync, spawn } from "node:child_process";

export const ROOT = path.resolve(import.meta.dirname, "..");

// ---------------------------------------------------------------------------------------------
// Cleanup: temp files and child processes go away on success, failure, Ctrl-C or the deadline.

const cleanups: (() => unknown)[] = [];
let cleaning: Promise<void> | null = null;

export function onCleanUp(task: () => unknown): void {
  cleanups.push(task);
}

export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const task of cleanups.reverse()) {
      try {
        await task();
      } catch (error) {
        console.error(`cleanup: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping child processes and removing temp files…`);
    void cleanUp().then(() => process.exit(130));
  });
}

/** Anything longer than this is a hang: clean up and exit 2. */
export function giveUpAfter(ms: number): void {
  setTimeout(() => {
    console.error(`\nThe benchmark did not finish within ${Math.round(ms / 1000)} s: giving up.`);
    void cleanUp().then(() => process.exit(2));
  }, ms).unref();
}

/** Runs main, cleans up, exits: 0 checks passed, 1 a check failed, 2 the benchmark could not run. */
export async function runBenchmark(main: () => Promise<boolean>): Promise<never> {
  let exitCode = 2;
  try {
    exitCode = (await main()) ? 0 : 1;
  } catch (error) {
    console.error(`\nThe benchmark could not run: ${(error as Error).message}`);
  } finally {
    await cleanUp();
  }
  process.exit(exitCode);
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const int = (n: number) => Math.round(n).toLocaleString("en-US");
export const ms = (n: number) => n.toFixed(1);
/** Prisma stores DateTime in SQLite as ISO 8601 with an explicit offset. */
export const prismaDate = (date: Date) => date.toISOString().replace("Z", "+00:00");

export async function step<T>(label: string, work: () => T | Promise<T>): Promise<T> {
  process.stdout.write(`▶ ${label}… `);
  const started = performance.now();
  const result = await work();
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/** A temp directory removed at clean-up. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", prefix));
  onCleanUp(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function migrate(databaseFile: string): void {
  migrateDatabase(`file:${databaseFile}`);
}

/** `prisma migrate deploy` on a database given by URL (file: or postgresql://). */
export function migrateDatabase(databaseUrl: string): void {
  try {
    execFileSync(path.join(ROOT, "node_modules/.bin/prisma"), ["migrate", "deploy"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: "pipe",
      timeout: 120_000,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`prisma migrate deploy failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes, each in its own process group so stopping one stops tsx's child too.

export type ProcessStats = { cpuSeconds: number; peakRssMb: number };

export type ChildProcess = {
  name: string;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop: () => Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill: () => Promise<void>;
  /** Set when it exited before it was asked to stop: how it ended and its last log lines. */
  crash: () => string | null;
  /** Of the node process that runs the script (tsx starts one), read from /proc. */
  processStats: () => ProcessStats | null;
  logTail: () => string;
};

/** Runs a TypeScript file with tsx: the command for startProcess. */
export const tsx = (...args: string[]) => [path.join(ROOT, "node_modules/.bin/tsx"), ...args];

/** Starts `command` (e.g. tsx("bench/x.ts") or ["node", "build/worker.js"]) and waits until its log says `readyText`. */
export async function startProcess(name: string, command: string[], env: NodeJS.ProcessEnv, logFile: string, readyText: string): Promise<ChildProcess> {
  const log = fs.openSync(logFile, "a");
  // Logs go to a file: a pipe to this (busy) process would make the child's writes wait on us.
  const child = spawn(command[0], command.slice(1), { cwd: ROOT, env, stdio: ["ignore", log, log], detached: true });
  fs.closeSync(log);
  const logStart = fs.statSync(logFile).size;
  let running = true;
  let stopping = false;
  let crash: string | null = null;
  const logTail = () => fs.readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n");
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      running = false;
      if (!stopping) crash = `exit ${code ?? signal}\n${logTail()}`;
      resolve();
    }),
  );
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    stopping = true;
    if (!running) return;
    signalGroup("SIGTERM");
    if (await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)])) return;
    signalGroup("SIGKILL");
    await exited;
  };
  const kill = async () => {
    stopping = true;
    signalGroup("SIGKILL");
    await exited;
  };
  onCleanUp(stop);

  const deadline = Date.now() + 60_000;
  while (!fs.readFileSync(logFile, "utf8").slice(logStart).includes(readyText)) {
    if (!running) throw new Error(`The ${name} process exited before it was ready:\n${logTail()}`);
    if (Date.now() > deadline) throw new Error(`The ${name} process was not ready within 60 s:\n${logTail()}`);
    await sleep(50);
  }
  // tsx runs the script in a child node process: the one whose command line names the script does the work.
  const script = command.slice(1).find((arg) => /\.[jt]s$/.test(arg))!;
  const worker = [child.pid!, ...descendants(child.pid!)]
    .filter((pid) => readProc(pid, "cmdline").includes(script))
    .sort((a, b) => (readStats(b)?.peakRssMb ?? 0) - (readStats(a)?.peakRssMb ?? 0))[0];
  let last: ProcessStats | null = null;
  // Once it has exited /proc has nothing: keep the last reading.
  const processStats = () => (last = readStats(worker) ?? last);
  return { name, stop, kill, crash: () => crash, processStats, logTail };
}

function readProc(pid: number, file: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return "";
  }
}

function descendants(pid: number): number[] {
  let tasks: string[] = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = tasks.flatMap((task) => readProc(pid, `task/${task}/children`).trim().split(/\s+/).filter(Boolean).map(Number));
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** CPU seconds used by every process on the machine so far, from /proc/stat (null off Linux). */
export function machineCpuSeconds(): number | null {
  let fields: number[] = [];
  try {
    fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].split(/\s+/).slice(1).map(Number);
  } catch {
    return null;
  }
  if (fields.length < 8) return null;
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** CPU time so far and peak resident memory (VmHWM), from /proc: Linux only, null elsewhere. */
function readStats(pid: number | undefined): ProcessStats | null {
  if (!pid) return null;
  const stat = readProc(pid, "stat");
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readProc(pid, "status"));
  if (!stat || !hwm) return null;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return { cpuSeconds: ticks / 100, peakRssMb: Number(hwm[1]) / 1024 };
}
