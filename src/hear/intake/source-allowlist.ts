// Which hosts may send scheduler datagrams: IPs, CIDRs (v4/v6) and host names, the names re-resolved on an
// interval so a Sense node that changes address keeps working. An empty list accepts every source.
import { lookup } from "node:dns/promises";
import type { Logger } from "pino";
import { type Clock, every, systemClock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import { formatIp, inRange, parseIp, parseRange, type IpRange } from "../../platform/security/ip-match";

export interface SourceAllowlist {
  /** True when the list is empty (everything accepted). */
  readonly open: boolean;
  allows(address: string): boolean;
  /** Resolves host names now (start() does this first and then on the interval). */
  refresh(): Promise<void>;
  start(): Promise<void>;
  stop(): void;
  /** Host name → addresses it resolved to last time, for /ready and logs. */
  resolved(): Record<string, string[]>;
}

export interface AllowlistDeps {
  log: Logger;
  resolveIntervalMs: number;
  /** The interval between resolutions runs on it (the system clock when left out). */
  clock?: Clock;
  /** Resolver; defaults to the OS resolver (hosts file included), all addresses of both families. */
  resolve?: (host: string) => Promise<string[]>;
}

const osResolve = async (host: string) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export function createSourceAllowlist(entries: string[], deps: AllowlistDeps): SourceAllowlist {
  const ranges: IpRange[] = [];
  const hosts: string[] = [];
  for (const e of entries) {
    const r = parseRange(e);
    if (r) ranges.push(r);
    else hosts.push(e.trim().toLowerCase());
  }
  const byHost = new Map<string, IpRange[]>();
  const resolve = deps.resolve ?? osResolve;
  let stopRefresh: (() => void) | undefined;

  async function refresh() {
    await Promise.all(
      hosts.map(async (h) => {
        try {
          const addrs = (await resolve(h)).map((a) => parseRange(a)).filter((r): r is IpRange => r !== undefined);
          if (addrs.length === 0) throw new Error("no addresses");
          byHost.set(h, addrs);
        } catch (err) {
          // Keep the last good answer: a DNS hiccup must not silence a whole Sense node.
          deps.log.warn({ host: h, err: describeError(err), kept: byHost.get(h)?.length ?? 0 }, "cannot resolve an allowed datagram source");
        }
      }),
    );
  }

  return {
    open: entries.length === 0,
    allows(address) {
      if (entries.length === 0) return true;
      const ip = parseIp(address);
      if (!ip) return false;
      if (ranges.some((r) => inRange(ip, r))) return true;
      for (const list of byHost.values()) if (list.some((r) => inRange(ip, r))) return true;
      return false;
    },
    refresh,
    async start() {
      if (hosts.length === 0) return;
      await refresh();
      stopRefresh = every(deps.clock ?? systemClock, deps.resolveIntervalMs, () => void refresh());
    },
    stop() {
      stopRefresh?.();
      stopRefresh = undefined;
    },
    resolved() {
      const out: Record<string, string[]> = {};
      for (const h of hosts) out[h] = (byHost.get(h) ?? []).map(formatIp);
      return out;
    },
  };
}
