/** The function's `memorySize` (MB) in s.yaml, the memory FC bills it for. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const S_YAML = join(fileURLToPath(new URL("..", import.meta.url)), "s.yaml");

export function configuredMemoryMb(): number {
  const match = /^\s+memorySize:\s*(\d+)\s*$/m.exec(readFileSync(S_YAML, "utf8"));
  if (match === null) throw new Error(`no memorySize in ${S_YAML}`);
  return Number(match[1]);
}
