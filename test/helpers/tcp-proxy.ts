/**
 * A TCP proxy in front of a real server (Redis, the MNS emulator) that a test can break on purpose:
 * - `pause()`: bytes stop flowing both ways (they are held, not lost) until `resume()`: the client times out.
 * - `refuse()`: every open connection is cut and new ones are closed at once until `resume()`: the server is
 *   gone, as when a store disappears mid-batch.
 * - `cut()`: every open connection is cut once; new ones work (a failover, an idle timeout in a middlebox).
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export type ProxyMode = "open" | "paused" | "refusing";

export interface TcpProxy {
  /** "127.0.0.1:PORT" */
  address: string;
  port: number;
  readonly mode: ProxyMode;
  pause(): void;
  refuse(): void;
  cut(): void;
  resume(): void;
  /** Connections accepted so far (refused ones included). */
  readonly connections: number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = "open";
  let connections = 0;
  const pairs = new Set<Pair>();

  const destroy = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream.destroy();
    pairs.delete(pair);
  };

  const server: Server = createServer((client) => {
    connections += 1;
    if (mode === "refusing") {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    // No pipe(): pausing must hold bytes in flight, which pause() on both readable sides does.
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => client.write(chunk));
    if (mode === "paused") {
      client.pause();
      upstream.pause();
    }
    for (const socket of [client, upstream]) {
      socket.on("error", () => destroy(pair));
      socket.on("close", () => destroy(pair));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  const setPaused = (paused: boolean) => {
    for (const { client, upstream } of pairs) {
      if (paused) {
        client.pause();
        upstream.pause();
      } else {
        client.resume();
        upstream.resume();
      }
    }
  };

  return {
    address: `127.0.0.1:${port}`,
    port,
    get mode() {
      return mode;
    },
    get connections() {
      return connections;
    },
    pause() {
      mode = "paused";
      setPaused(true);
    },
    refuse() {
      mode = "refusing";
      for (const pair of [...pairs]) destroy(pair);
    },
    cut() {
      for (const pair of [...pairs]) destroy(pair);
    },
    resume() {
      mode = "open";
      setPaused(false);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of [...pairs]) destroy(pair);
        server.close(() => resolve());
      }),
  };
}
