// What every CLI command shares: its shape, argument parsing, and the usage error main.ts prints.

import { parseArgs } from "node:util";

/** `run` may return the exit status when the command ran but did not fully succeed (0 otherwise). */
export type Command = { usage: string; run: (args: string[]) => Promise<void | number> };

/** A mistake in how the command was called: printed with the usage, exit status 2. */
export class UsageError extends Error {}

export function options<T extends Record<string, { type: "string" | "boolean"; multiple?: boolean }>>(args: string[], spec: T) {
  try {
    return parseArgs({ args, options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== "string" || value === "") throw new UsageError(`${flag} is required.`);
  return value;
}
