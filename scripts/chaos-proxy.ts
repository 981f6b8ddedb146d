// The partition scenario's proxy (scripts/chaos.ts): one member reaches PostgreSQL through it, and cut() drops its
// connections and refuses new ones, as a failed link that resets both ends does.
import { createServer, connect, type Server, type Socket } from "node:net";
import { freeTcpPort } from "../test/helpers/free-port";

export /** A TCP proxy in front of PostgreSQL for one member: cut() drops its connections and refuses new ones. */
async function startProxy(target: { host: string; port: number }): Promise<{ port: number; cut(on: boolean): void; close(): Promise<void> }> {
  const port = await freeTcpPort();
  const sockets = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) return client.destroy();
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
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  return {
    port,
    cut(on) {
      refusing = on;
      if (on) for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
