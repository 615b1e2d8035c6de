/** What a CLI command gets instead of the process globals, so tests can drive `main` in-process. */
import type { Readable, Writable } from "node:stream";

export type OutputStream = Writable & { isTTY?: boolean; columns?: number };

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Wrong arguments: exit code 2, with a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The command could not do its job: exit code 1. */
export class CliError extends Error {
  override readonly name = "CliError";
}

export function println(stream: OutputStream, text = ""): void {
  stream.write(`${text}\n`);
}
