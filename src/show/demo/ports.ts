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
  cloud: 7443,
} as const;

export type DemoPorts = { -readonly [K in keyof typeof DEMO_PORTS]: number };

/** `steward demo --cluster`: the second Steward's listeners and the private PostgreSQL. */
export const DEMO_CLUSTER_PORTS = {
  httpB: 7490,
  udpB: 7497,
  postgres: 7454,
} as const;

export type DemoClusterPorts = { -readonly [K in keyof typeof DEMO_CLUSTER_PORTS]: number };

export async function pickDemoPorts(host?: string, cluster?: false, anyPorts?: boolean): Promise<DemoPorts>;
export async function pickDemoPorts(host: string, cluster: true, anyPorts?: boolean): Promise<DemoPorts & DemoClusterPorts>;
/**
 * Each preferred port, or a free one where it is taken. Distinct TCP ports are guaranteed. `anyPorts`: free ones the
 * OS picks, none of the preferred (a start again after losing one of them to another program starting meanwhile,
 * which goes on to take the others one by one).
 */
export async function pickDemoPorts(host = "127.0.0.1", cluster = false, anyPorts = false): Promise<DemoPorts & Partial<DemoClusterPorts>> {
  const out = {} as DemoPorts & Partial<DemoClusterPorts>;
  const used = new Set<number>();
  const fixed = { ...DEMO_PORTS, ...(cluster ? DEMO_CLUSTER_PORTS : {}) };
  const wanted = anyPorts ? Object.fromEntries(Object.keys(fixed).map((k) => [k, 0])) : fixed;
  for (const [name, preferred] of Object.entries(wanted) as Array<[keyof (DemoPorts & DemoClusterPorts), number]>) {
    if (name === "udp" || name === "udpB") {
      let p = await pickUdpPort(host, preferred);
      for (let i = 0; name === "udpB" && p === out.udp && i < 20; i++) p = await pickUdpPort(host, 0);
      out[name] = p;
      continue;
    }
    let p = await pickTcpPort(host, preferred);
    for (let i = 0; used.has(p) && i < 20; i++) p = await pickTcpPort(host, 0);
    used.add(p);
    out[name] = p;
  }
  return out;
}
