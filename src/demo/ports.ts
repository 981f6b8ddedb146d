// Demo ports: fixed, memorable ones by default, but a port that is already taken falls back to a free one
// (the demo prints the actual URLs), so a second demo or a busy machine never blocks the first minutes.
import { createSocket } from "node:dgram";
import { createServer } from "node:net";

/** Binds `port` on `host` briefly; resolves with it if free, else with a port the OS picked. */
export function pickTcpPort(host: string, port: number): Promise<number> {
  const attempt = (p: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = createServer();
      srv.once("error", () => resolve(undefined));
      srv.listen({ host, port: p, exclusive: true }, () => {
        const addr = srv.address();
        const got = addr !== null && typeof addr !== "string" ? addr.port : undefined;
        srv.close(() => resolve(got));
      });
    });
  return attempt(port).then(async (p) => p ?? (await attempt(0)) ?? Promise.reject(new Error(`no free TCP port on ${host}`)));
}

export function pickUdpPort(host: string, port: number): Promise<number> {
  const attempt = (p: number) =>
    new Promise<number | undefined>((resolve) => {
      const sock = createSocket(host.includes(":") ? "udp6" : "udp4");
      sock.once("error", () => {
        sock.close();
        resolve(undefined);
      });
      sock.bind(p, host, () => {
        const got = sock.address().port;
        sock.close(() => resolve(got));
      });
    });
  return attempt(port).then(async (p) => p ?? (await attempt(0)) ?? Promise.reject(new Error(`no free UDP port on ${host}`)));
}

/** The demo's preferred ports (all on 127.0.0.1). */
export const DEMO_PORTS = {
  http: 7480,
  udp: 7498,
  qrs: 7442,
  engine: 7447,
  simControl: 7499,
  smtp: 7425,
  webhook: 7481,
  version: 7432,
} as const;

export type DemoPorts = { -readonly [K in keyof typeof DEMO_PORTS]: number };

/** Each preferred port, or a free one where it is taken. Distinct TCP ports are guaranteed. */
export async function pickDemoPorts(host = "127.0.0.1"): Promise<DemoPorts> {
  const out = {} as DemoPorts;
  const used = new Set<number>();
  for (const [name, preferred] of Object.entries(DEMO_PORTS) as Array<[keyof DemoPorts, number]>) {
    if (name === "udp") {
      out.udp = await pickUdpPort(host, preferred);
      continue;
    }
    let p = await pickTcpPort(host, preferred);
    for (let i = 0; used.has(p) && i < 20; i++) p = await pickTcpPort(host, 0);
    used.add(p);
    out[name] = p;
  }
  return out;
}
