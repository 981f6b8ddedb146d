// The intake's edge: which hosts may send (udp.allowedSources, host names re-resolved while running) and the UDP
// socket, as one lifecycle component (the allowlist resolves before the socket opens, and a missing list is
// warned about at every start), with the socket's readiness check.
import type { RemoteInfo } from "node:dgram";
import type { Logger } from "pino";
import type { UdpConfig } from "./config";
import type { Component } from "../../platform/core/lifecycle";
import type { ReadinessCheck } from "../../platform/core/readiness";
import { readKernelUdpDrops } from "./kernel-drops";
import { createSourceAllowlist, type AllowlistDeps, type SourceAllowlist } from "./source-allowlist";
import { createUdpListener, type UdpListener } from "./udp-listener";

export const OPEN_ALLOWLIST_WARNING = "udp.allowedSources is empty: datagrams from any host are accepted; list your Sense nodes to refuse spoofed events";

export interface IntakeSocket {
  /** Always there: datagrams handed in by tests and replays are checked against it too. */
  allowlist: SourceAllowlist;
  /** Undefined when udp.enabled is false. */
  udp?: UdpListener;
  component?: Component;
  readiness: ReadinessCheck[];
}

export interface IntakeSocketDeps {
  log: Logger;
  onDatagram: (msg: Buffer, from: RemoteInfo) => void;
  /** Called first when the component stops: datagrams still arriving are refused as "stopping". */
  onStopping: () => void;
  /** Tests bind port 0. */
  port?: number;
  /** The allow-list's resolution interval runs on it (the system clock when left out). */
  clock?: AllowlistDeps["clock"];
  resolve?: AllowlistDeps["resolve"];
}

export function createIntakeSocket(cfg: UdpConfig, deps: IntakeSocketDeps): IntakeSocket {
  const { log } = deps;
  const allowlist = createSourceAllowlist(cfg.allowedSources, {
    log,
    resolveIntervalMs: cfg.resolveIntervalSeconds * 1000,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.resolve ? { resolve: deps.resolve } : {}),
  });
  if (!cfg.enabled) return { allowlist, readiness: [] };
  const udp = createUdpListener({ host: cfg.host, port: deps.port ?? cfg.port }, { log, onDatagram: deps.onDatagram });
  const component: Component = {
    name: "udp",
    async start() {
      await allowlist.start();
      if (allowlist.open) log.warn(OPEN_ALLOWLIST_WARNING);
      await udp.start();
    },
    async stop() {
      deps.onStopping();
      allowlist.stop();
      await udp.stop();
    },
  };
  // Informational: a socket that cannot bind already fails start().
  const readiness: ReadinessCheck = {
    name: "udp",
    required: false,
    check() {
      const a = udp.address();
      if (!a) return { ok: false, detail: "not listening" };
      const drops = readKernelUdpDrops(a.port);
      return { ok: true, detail: `listening on ${a.address}:${a.port}${drops ? `; the OS dropped ${drops} datagrams (receive buffer full)` : ""}` };
    },
  };
  return { allowlist, udp, component, readiness: [readiness] };
}
