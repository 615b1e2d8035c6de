import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { CliError, type CliIo } from "./io.ts";

export interface Command {
  /** As typed: `dlq list`, `plan`, … */
  name: string;
  help: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** A file's bytes; `-` reads standard input. */
export async function readInput(path: string, io: CliIo): Promise<Buffer> {
  if (path === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin)
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(isAbsolute(path) ? path : join(io.cwd, path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${path}: ${code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
}
