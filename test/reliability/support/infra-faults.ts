/**
 * Breaks the function's own infrastructure while a chaos run goes on: Redis behind a TCP proxy that stops
 * answering (timeouts), goes away (refused connections: the store disappears mid-batch) or cuts its
 * connections, and MNS that refuses to publish (the emulator's fail-next API) or stops answering (a proxy).
 * The kinds are taken in a seeded round, so every kind happens in every run that lasts a few rounds.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { MnsEmulator } from "../../../local/mns-emulator/server.ts";
import type { TcpProxy } from "../../helpers/tcp-proxy.ts";
import type { Random } from "./seeded-random.ts";

export type InfraFaultKind =
  | "redis-timeout"
  | "redis-gone"
  | "redis-cut"
  | "mns-refused"
  | "mns-unavailable"
  | "mns-timeout";

export interface InfraFaults {
  /** Waits for the fault in progress to end, then leaves everything working. */
  stop(): Promise<void>;
  readonly injected: Record<string, number>;
}

export interface InfraFaultOptions {
  rnd: Random;
  /** Redis faults need this; without it (the memory store) only MNS is broken. */
  redisProxy?: TcpProxy;
  mns: MnsEmulator;
  mnsProxy: TcpProxy;
  /** Quiet time between two faults, in ms. */
  gapMs: [number, number];
  /** Rounds of every kind, then the faults stop (so a slow machine does not make the run longer and longer). */
  rounds: number;
}

export function startInfraFaults(o: InfraFaultOptions): InfraFaults {
  const kinds: InfraFaultKind[] = [
    ...(o.redisProxy ? (["redis-timeout", "redis-gone", "redis-cut"] as const) : []),
    "mns-refused",
    "mns-unavailable",
    "mns-timeout",
  ];
  const injected: Record<string, number> = {};
  let stopping = false;

  async function inject(kind: InfraFaultKind): Promise<void> {
    injected[kind] = (injected[kind] ?? 0) + 1;
    switch (kind) {
      case "redis-timeout":
        // Longer than the client's 1 s command timeout now and then.
        o.redisProxy!.pause();
        await sleep(o.rnd.int(300, 1500));
        o.redisProxy!.resume();
        return;
      case "redis-gone":
        o.redisProxy!.refuse();
        await sleep(o.rnd.int(200, 900));
        o.redisProxy!.resume();
        return;
      case "redis-cut":
        o.redisProxy!.cut();
        return;
      case "mns-refused":
        o.mns.state.failNext("PublishMessage", o.rnd.int(1, 3), "InternalError");
        return;
      case "mns-unavailable":
        o.mnsProxy.refuse();
        await sleep(o.rnd.int(200, 700));
        o.mnsProxy.resume();
        return;
      case "mns-timeout":
        o.mnsProxy.pause();
        await sleep(o.rnd.int(200, 800));
        o.mnsProxy.resume();
        return;
    }
  }

  const loop = (async () => {
    for (let round = 0; round < o.rounds && !stopping; round++) {
      for (const kind of o.rnd.shuffle([...kinds])) {
        await sleep(o.rnd.int(o.gapMs[0], o.gapMs[1]));
        if (stopping) return;
        await inject(kind);
      }
    }
  })();

  return {
    injected,
    async stop() {
      stopping = true;
      await loop;
      o.redisProxy?.resume();
      o.mnsProxy.resume();
      o.mns.state.failNext("PublishMessage", 0);
    },
  };
}
