// Free loopback ports for tests. They are picked below the kernel's ephemeral range (32768–60999 on Linux):
// a port the OS hands out for port 0 is one that outgoing connections also draw from, so a service started
// a moment later could find its port taken by some client's socket ("address already in use").
import { createServer } from "node:net";
import { createSocket } from "node:dgram";
import { waitFor } from "./wait-for";

const FIRST = 15_000;
const LAST = 32_000;
const ATTEMPTS = 200;
/** Ports this process already handed out; never given twice, so two services of one test cannot collide. */
const handedOut = new Set<number>();

function candidate(): number {
  return FIRST + Math.floor(Math.random() * (LAST - FIRST + 1));
}

function tryTcp(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => resolve(undefined));
    srv.listen({ host, port, exclusive: true }, () => {
      const addr = srv.address();
      const got = addr !== null && typeof addr !== "string" ? addr.port : undefined;
      srv.close(() => resolve(got));
    });
  });
}

function tryUdp(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket(host.includes(":") ? "udp6" : "udp4");
    sock.unref();
    sock.once("error", () => {
      sock.close();
      resolve(undefined);
    });
    sock.bind(port, host, () => {
      const got = sock.address().port;
      sock.close(() => resolve(got));
    });
  });
}

async function pick(kind: string, probe: (port: number) => Promise<number | undefined>): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = candidate();
    if (handedOut.has(port)) continue;
    const got = await probe(port);
    if (got !== undefined) {
      handedOut.add(got);
      return got;
    }
  }
  throw new Error(`${kind}: no free port in ${FIRST}–${LAST} after ${ATTEMPTS} attempts`);
}

/** A TCP port on `host` that was free a moment ago (tiny race window; callers bind right away). */
export function freeTcpPort(host = "127.0.0.1"): Promise<number> {
  return pick("freeTcpPort", (port) => tryTcp(host, port));
}

/** A UDP port on `host` that was free a moment ago. */
export function freeUdpPort(host = "127.0.0.1"): Promise<number> {
  return pick("freeUdpPort", (port) => tryUdp(host, port));
}

/** `count` distinct free TCP ports (distinct among themselves, each free when picked). */
export async function freeTcpPorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freeTcpPort(host));
  return ports;
}

/**
 * Waits (bounded) until `port` can be bound again on `host`. Under Wine a socket belongs to the wineserver, which
 * hands the program a copy: after the program is killed the server closes its own copy only once it has noticed the
 * death, so for a moment the port is still taken (on Windows and Linux the kernel frees it as the process ends).
 */
export async function waitPortReleased(host: string, port: number, kind: "udp" | "tcp"): Promise<void> {
  const probe = kind === "udp" ? tryUdp : tryTcp;
  await waitFor(async () => (await probe(host, port)) !== undefined, { what: `${kind} port ${host}:${port} released by the ended program` });
}
