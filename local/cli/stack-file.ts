/**
 * `.local-state/stack.json`: what `npm start` writes so the CLI finds the local stack without flags
 * (endpoints, the demo credentials, names). Written by local/stack.ts, read by the CLI.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as z from "zod";

export const DEFAULT_STACK_FILE = join(".local-state", "stack.json");

export const StackInfo = z.object({
  version: z.literal(1),
  pid: z.number().int(),
  startedAt: z.string(),
  accountId: z.string().min(1),
  region: z.string().min(1),
  credentials: z.object({ accessKeyId: z.string().min(1), accessKeySecret: z.string().min(1) }),
  endpoints: z.object({
    httpTrigger: z.url(),
    fcApi: z.url(),
    mns: z.url(),
    eiam: z.url(),
  }),
  fc: z.object({ service: z.string().min(1), function: z.string().min(1) }),
  mns: z.object({
    sourceQueue: z.string().min(1),
    deadLetterTopic: z.string().min(1),
    deadLetterQueue: z.string().min(1),
    triggerDeadLetterQueue: z.string().min(1),
  }),
  eiam: z.object({ instanceId: z.string().min(1) }),
});
export type StackInfo = z.infer<typeof StackInfo>;

export class StackFileError extends Error {
  override readonly name = "StackFileError";
}

export function writeStackFile(path: string, info: StackInfo): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

export function readStackFile(path: string): StackInfo {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new StackFileError(
      `no local stack: ${path} does not exist. Start it with \`npm start\`, or target the cloud with --cloud`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StackFileError(`${path} is not JSON; restart \`npm start\` to rewrite it`);
  }
  const parsed = StackInfo.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new StackFileError(`${path} is not a stack file of this version: ${issues.join("; ")}`);
  }
  return parsed.data;
}

/** Removes the file if it still describes this process's stack (another `npm start` may have replaced it). */
export function removeStackFile(path: string, pid = process.pid): void {
  try {
    const current = JSON.parse(readFileSync(path, "utf8")) as { pid?: unknown };
    if (current.pid === pid) rmSync(path, { force: true });
  } catch {
    // already gone or unreadable: nothing to clean
  }
}
