// The proxy of the partition and silent-cut scenarios (scripts/chaos.ts): one member reaches PostgreSQL through it.
// cut() drops its connections and refuses new ones, as a failed link that resets both ends does; silence() stops
// forwarding and closes nothing, as a firewall dropping packets does (neither end learns of it but by its own
// time limits), and lets what waited flow on when it ends, as TCP's retransmissions would.
import { createServer, connect, type Server, type Socket } from "node:net";
import { freeTcpPort } from "../test/helpers/free-port";

export interface ChaosProxy {
  port: number;
  /** Resets every connection and refuses new ones while on. */
  cut(on: boolean): void;
  /** Forwards nothing and connects nothing new while on, closing nothing. */
  silence(on: boolean): void;
  close(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number }): Promise<ChaosProxy> {
  const port = await freeTcpPort();
  const sockets = new Set<Socket>();
  let refusing = false;
  let silent = false;
  /** Connections accepted while silent: connected upstream when the silence ends. */
  const waiting: Socket[] = [];
  const forward = (from: Socket, to: Socket) => {
    // By hand rather than pipe(): pipe() resumes a source on its destination's drain, which would end a silence.
    from.on("data", (chunk) => {
      if (!to.write(chunk)) from.pause();
    });
    to.on("drain", () => {
      if (!silent) from.resume();
    });
  };
  const join = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    forward(client, upstream);
    forward(upstream, client);
    client.resume();
  };
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    if (refusing) return client.destroy();
    if (silent) {
      client.on("error", () => {});
      waiting.push(client);
      return;
    }
    join(client);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  return {
    port,
    cut(on) {
      refusing = on;
      if (on) for (const s of sockets) s.destroy();
    },
    silence(on) {
      silent = on;
      for (const s of sockets) on ? s.pause() : s.resume();
      if (!on) for (const client of waiting.splice(0)) if (!client.destroyed) join(client);
    },
    close: () => {
      for (const s of [...sockets, ...waiting]) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
