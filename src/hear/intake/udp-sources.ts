// Who may send datagrams (issue 75): udp.allowedSources when it lists anything ("*" opens the port to every sender,
// on purpose); left empty, the Qlik nodes themselves (qlik.host and the server nodes QRS lists, resolved by the one
// resolver security.anonymous uses too), or this server's loopback alone without a qlik: section. Anyone who can send
// UDP could otherwise forge a task's failure or an Engine reload line.
import type { Logger } from "pino";
import { type Clock, wallClock } from "../../platform/core/clock";
import { isLoopback, parseIp } from "../../platform/security/ip-match";
import type { QlikNodes } from "../../platform/security/qlik-nodes";
import { createRefusalSummary, type RefusalSummary } from "./refusal-summary";
import { createSourceAllowlist, type AllowlistDeps, type SourceAllowlist } from "./source-allowlist";

export const ANY_SOURCE = "*";

export interface UdpSources {
  /** "any": "*" listed; "listed": the addresses and names listed; "qlik-nodes": the site's nodes; "loopback": no qlik:. */
  readonly mode: "any" | "listed" | "qlik-nodes" | "loopback";
  allows(address: string): boolean;
  /** A datagram from `address` was refused: counted for the summary line (at most one a minute). */
  refused(address: string): void;
  /** Who is admitted, in one sentence (the log at start, /ready, the doctor). */
  describe(): string;
  /** Why the admission is narrower than meant (QRS's node list not read yet), or undefined. */
  degraded(): string | undefined;
  /** Resolves names (listed ones, or the nodes) before the socket opens. */
  start(): Promise<void>;
  stop(): void;
  /** Listed host name → addresses it resolved to last time. */
  resolved(): Record<string, string[]>;
}

export interface UdpSourcesDeps extends Pick<AllowlistDeps, "resolve"> {
  log: Logger;
  clock: Clock;
  resolveIntervalMs: number;
  /** The site's nodes (qlik: configured); undefined without a qlik: section. */
  nodes?: QlikNodes;
  /** How long the start waits for QRS's node list before the socket opens anyway (it keeps trying in the background). */
  firstListWaitMs?: number;
}

/** Loopback counts as a node's own address only as 127.0.0.1 or ::1: another alias (127.0.0.3) is some other program. */
const OWN_LOOPBACK = new Set(["127.0.0.1", "::1"]);

export function createUdpSources(entries: readonly string[], deps: UdpSourcesDeps): UdpSources {
  const any = entries.includes(ANY_SOURCE);
  const listed = entries.filter((e) => e !== ANY_SOURCE);
  const allowlist: SourceAllowlist = createSourceAllowlist(any ? [] : listed, {
    log: deps.log,
    resolveIntervalMs: deps.resolveIntervalMs,
    clock: deps.clock,
    ...(deps.resolve ? { resolve: deps.resolve } : {}),
  });
  const nodes = deps.nodes;
  const mode: UdpSources["mode"] = any ? "any" : listed.length > 0 ? "listed" : nodes ? "qlik-nodes" : "loopback";
  const summary: RefusalSummary = createRefusalSummary({
    clock: deps.clock,
    log: deps.log,
    what: mode === "listed" ? "not in udp.allowedSources" : mode === "qlik-nodes" ? "not Qlik nodes" : "not this server's loopback",
  });

  function allows(address: string): boolean {
    if (mode === "any") return true;
    if (mode === "listed") return allowlist.allows(address);
    const ip = parseIp(address);
    if (!ip) return false;
    if (mode === "loopback") return isLoopback(ip);
    return nodes!.has(ip) || (nodes!.local() && OWN_LOOPBACK.has(ip.address));
  }

  function describe(): string {
    switch (mode) {
      case "any":
        return 'datagrams from any source are admitted (udp.allowedSources: ["*"])';
      case "listed":
        return `datagrams are admitted from udp.allowedSources: ${listed.join(", ")}`;
      case "loopback":
        return "datagrams are admitted from this server's loopback only (no qlik: section, udp.allowedSources empty)";
      default:
        return `datagrams are admitted from ${nodes!.describe()} (udp.allowedSources empty)${nodes!.listed() ? "" : "; QRS's node list not read yet, so only qlik.host for now"}`;
    }
  }

  return {
    mode,
    allows,
    refused: (address) => summary.add(address),
    describe,
    degraded: () =>
      mode === "qlik-nodes" && !nodes!.listed()
        ? "QRS's list of server nodes has not been read yet: datagrams are admitted only from qlik.host (and this server's loopback when it is a node) until it is"
        : undefined,
    async start() {
      await allowlist.start();
      if (mode !== "qlik-nodes") return;
      // One read before the socket opens, so the line at start names the nodes; a QRS that is down does not hold the start.
      // On wall time: a QRS client retrying on a stepped or manual clock must not hold the start either.
      let timer: ReturnType<Clock["setTimeout"]> | undefined;
      await Promise.race([nodes!.refresh().catch(() => {}), new Promise<void>((r) => (timer = wallClock.setTimeout(r, deps.firstListWaitMs ?? 10_000)))]);
      if (timer) wallClock.clearTimeout(timer);
    },
    stop() {
      allowlist.stop();
      summary.stop();
    },
    resolved: () => allowlist.resolved(),
  };
}
