// Free loopback ports for tests: the OS picks one (bind to port 0), we release it and hand the number on.
import { createServer } from "node:net";
import { createSocket } from "node:dgram";

/** A TCP port on `host` that was free a moment ago (tiny race window; callers bind right away). */
export function freeTcpPort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") {
        srv.close();
        reject(new Error("freeTcpPort: no address from the OS"));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

/** A UDP port on `host` that was free a moment ago. */
export function freeUdpPort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(host.includes(":") ? "udp6" : "udp4");
    sock.unref();
    sock.once("error", reject);
    sock.bind(0, host, () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}

/** `count` distinct free TCP ports (distinct among themselves, each free when picked). */
export async function freeTcpPorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count && attempt < count * 20; attempt++) {
    ports.add(await freeTcpPort(host));
  }
  if (ports.size < count) throw new Error(`freeTcpPorts: could only find ${ports.size} of ${count} ports`);
  return [...ports];
}
