// The intake's edge: which hosts may send (udp-sources.ts: udp.allowedSources, or the Qlik nodes when it is empty) and
// the UDP socket, as one lifecycle component (the sources resolve before the socket opens, and who is admitted is said
// at every start), with the socket's readiness check.
import type { RemoteInfo } from "node:dgram";
import type { Logger } from "pino";
import type { UdpConfig } from "./config";
import type { Component } from "../../platform/core/lifecycle";
import type { ReadinessCheck } from "../../platform/core/readiness";
import { readKernelUdpDrops } from "./kernel-drops";
import { type Clock, systemClock } from "../../platform/core/clock";
import type { QlikNodes } from "../../platform/security/qlik-nodes";
import type { AllowlistDeps } from "./source-allowlist";
import { createUdpListener, type UdpListener } from "./udp-listener";
import { createUdpSources, type UdpSources } from "./udp-sources";

export const OPEN_SOURCES_WARNING = 'udp.allowedSources is "*": datagrams from any host are admitted; anyone who can reach the port can forge task events';

export interface IntakeSocket {
  /** Always there: datagrams handed in by tests and replays are checked against it too. */
  allowlist: UdpSources;
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
  /** The sources' resolution interval and refusal summary run on it (the system clock when left out). */
  clock?: Clock;
  resolve?: AllowlistDeps["resolve"];
  /** The site's nodes, admitted when udp.allowedSources is empty; undefined without a qlik: section. */
  nodes?: QlikNodes;
}

export function createIntakeSocket(cfg: UdpConfig, deps: IntakeSocketDeps): IntakeSocket {
  const { log } = deps;
  const allowlist = createUdpSources(cfg.allowedSources, {
    log,
    clock: deps.clock ?? systemClock,
    resolveIntervalMs: cfg.resolveIntervalSeconds * 1000,
    ...(deps.resolve ? { resolve: deps.resolve } : {}),
    ...(deps.nodes ? { nodes: deps.nodes } : {}),
  });
  if (!cfg.enabled) return { allowlist, readiness: [] };
  const udp = createUdpListener({ host: cfg.host, port: deps.port ?? cfg.port }, { log, onDatagram: deps.onDatagram });
  const component: Component = {
    name: "udp",
    async start() {
      await allowlist.start();
      if (allowlist.mode === "any") log.warn(OPEN_SOURCES_WARNING);
      else log.info({ sources: allowlist.mode, ...(allowlist.degraded() ? { degraded: allowlist.degraded() } : {}) }, allowlist.describe());
      await udp.start();
    },
    async stop() {
      deps.onStopping();
      allowlist.stop();
      await udp.stop();
    },
  };
  // Informational: a socket that cannot bind already fails start(). Degraded (not ok, not required) while QRS's node
  // list is unread: the site's other nodes are refused until then.
  const readiness: ReadinessCheck = {
    name: "udp",
    required: false,
    check() {
      const a = udp.address();
      if (!a) return { ok: false, detail: "not listening" };
      const drops = readKernelUdpDrops(a.port);
      const degraded = allowlist.degraded();
      const detail = `listening on ${a.address}:${a.port}; ${degraded ?? allowlist.describe()}${drops ? `; the OS dropped ${drops} datagrams (receive buffer full)` : ""}`;
      return { ok: degraded === undefined, detail };
    },
  };
  return { allowlist, udp, component, readiness: [readiness] };
}
