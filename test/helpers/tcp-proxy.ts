// A TCP proxy on loopback that can cut the network silently: while cut, it stops reading in both directions and
// connects nothing new, closing nothing (as a firewall dropping packets, or a pulled cable, looks to both ends);
// healed, what waited in the buffers flows on, as TCP's retransmissions deliver it after a partition.
import { connect, createServer, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** true: stop forwarding without closing anything; false: forward again. */
  cut(on: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let isCut = false;
  const sockets = new Set<Socket>();
  /** Connections accepted during a cut, connected upstream once it heals. */
  const waiting: Socket[] = [];

  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  };
  const pipe = (from: Socket, to: Socket) => {
    from.on("data", (chunk) => {
      if (!to.write(chunk)) from.pause();
    });
    to.on("drain", () => {
      if (!isCut) from.resume();
    });
    from.on("end", () => to.end());
    from.on("close", () => to.destroy());
  };
  const join = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    track(upstream);
    pipe(client, upstream);
    pipe(upstream, client);
    client.resume();
  };

  const server = createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    if (isCut) waiting.push(client);
    else join(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy has no port");

  return {
    port: address.port,
    cut(on) {
      isCut = on;
      if (on) {
        for (const s of sockets) s.pause();
        return;
      }
      for (const s of sockets) s.resume();
      for (const client of waiting.splice(0)) if (!client.destroyed) join(client);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
