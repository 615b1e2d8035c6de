/**
 * What the instance actually got, logged once per cold start ("cold start" line, docs/operations.md): whether FC
 * honours NODE_OPTIONS (e.g. --max-old-space-size) is UNCONFIRMED, so the first deploy reads it here.
 */
import { getHeapStatistics } from "node:v8";

const MB = 1024 * 1024;
const CAP = 200;

export interface InstanceFacts {
  heapSizeLimitMb: number;
  nodeOptions: string;
  execArgv: string;
  memoryMb?: number;
  node: string;
}

export function instanceFacts(memoryMb: number | undefined): InstanceFacts {
  return {
    heapSizeLimitMb: Math.round(getHeapStatistics().heap_size_limit / MB),
    nodeOptions: (process.env.NODE_OPTIONS ?? "").slice(0, CAP),
    execArgv: process.execArgv.join(" ").slice(0, CAP),
    ...(typeof memoryMb === "number" ? { memoryMb } : {}),
    node: process.version,
  };
}
