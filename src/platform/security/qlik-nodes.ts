// The addresses of the site's Qlik nodes, for `security.anonymous.from: [qlik-nodes]`: qlik.host and the nodes QRS
// lists (servernodeconfiguration), resolved by DNS at start and every 5 minutes. Loopback counts as a node when
// Steward runs on one (a load script on the central node calls http://localhost:…), and stands for the site when no
// qlik: section exists. A name that stops resolving keeps its last addresses: a DNS hiccup must not close load scripts.
import { lookup } from "node:dns/promises";
import { hostname, networkInterfaces } from "node:os";
import type { Logger } from "pino";
import { type Clock, every } from "../core/clock";
import type { Component } from "../core/lifecycle";
import { type IpAddress, isLoopback, parseIp } from "./ip-match";

export interface QlikNodes {
  /** Is this address one of the nodes'? */
  has(ip: IpAddress): boolean;
  /** Does loopback count as a node (Steward runs on one, or no qlik: section)? */
  local(): boolean;
  /** The nodes as last read, for messages: "sense1.corp.example (10.1.2.3), …". */
  describe(): string;
  /** Where QRS's node list comes from (set once the QRS client exists). */
  listWith(list: () => Promise<string[]>): void;
  /** Resolves now (start, and the tests). */
  refresh(): Promise<void>;
  /** True once QRS's node list has been read (until then only qlik.host is known; never without qlik:). */
  listed(): boolean;
  component(): Component;
}

export interface QlikNodesDeps {
  clock: Clock;
  log: Logger;
  /** Parameters for tests: DNS, this machine's addresses and name. */
  resolve?: (name: string) => Promise<string[]>;
  ownAddresses?: () => string[];
  machineName?: string;
  intervalMs?: number;
}

const INTERVAL_MS = 5 * 60_000;

async function dnsAll(name: string): Promise<string[]> {
  return (await lookup(name, { all: true })).map((a) => a.address);
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}

const short = (name: string) => name.toLowerCase().split(".")[0]!;

/** `host`: qlik.host, or undefined without a qlik: section. */
export function createQlikNodes(host: string | undefined, deps: QlikNodesDeps): QlikNodes {
  const resolve = deps.resolve ?? dnsAll;
  const own = new Set((deps.ownAddresses ?? interfaceAddresses)().flatMap((a) => parseIp(a)?.address ?? []));
  const machine = short(deps.machineName ?? hostname());
  let list: (() => Promise<string[]>) | undefined;
  /** Name → its addresses, as last resolved. */
  const byName = new Map<string, string[]>();
  let addresses = new Set<string>();
  let onThisMachine = false;
  let listedOnce = false;
  const seed = host ? parseIp(host) : undefined;
  if (host) byName.set(host, seed ? [seed.address] : []);
  const recompute = () => {
    addresses = new Set([...byName.values()].flat());
    onThisMachine =
      [...byName.keys()].some((n) => short(n) === machine || short(n) === "localhost") ||
      [...addresses].some((a) => {
        const ip = parseIp(a);
        return ip !== undefined && (isLoopback(ip) || own.has(ip.address));
      });
  };
  recompute();
  const resolveName = async (name: string): Promise<void> => {
    const literal = parseIp(name);
    if (literal) return void byName.set(name, [literal.address]);
    try {
      byName.set(
        name,
        (await resolve(name)).flatMap((a) => parseIp(a)?.address ?? []),
      );
    } catch (err) {
      if (!byName.has(name)) byName.set(name, []);
      deps.log.warn(
        { node: name, err: (err as Error).message },
        "cannot resolve a Qlik node's name; callers without a key from it are refused until it resolves",
      );
    }
  };
  async function refresh(): Promise<void> {
    if (!host) return;
    let names = [host];
    if (list) {
      try {
        names = [host, ...(await list())];
        listedOnce = true;
      } catch (err) {
        // QRS down: the nodes read before stay.
        names = [...byName.keys()];
        deps.log.debug({ err: (err as Error).message }, "cannot read the Qlik nodes from QRS; the last list stays");
      }
    }
    const wanted = new Set(names.filter((n) => n.trim() !== ""));
    for (const n of [...byName.keys()]) if (!wanted.has(n)) byName.delete(n);
    await Promise.all([...wanted].map(resolveName));
    recompute();
  }
  let stopTimer: (() => void) | undefined;
  /** The timed refresh under way: a DNS or QRS slower than the interval is not asked again while it answers. */
  let refreshing = false;
  const timedRefresh = () => {
    if (refreshing) return;
    refreshing = true;
    void refresh()
      .catch(() => {})
      .finally(() => {
        refreshing = false;
      });
  };

  return {
    has: (ip) => addresses.has(ip.address),
    local: () => !host || onThisMachine,
    describe() {
      if (!host) return "this server (no qlik: section)";
      const nodes = [...byName.entries()].map(([n, a]) => (a.length === 0 || (a.length === 1 && a[0] === n) ? n : `${n} (${a.join(", ")})`));
      return `the Qlik nodes ${nodes.join(", ")}${onThisMachine ? " and this server's loopback" : ""}`;
    },
    listWith: (fn) => void (list = fn),
    refresh,
    listed: () => listedOnce,
    component: () => ({
      name: "qlik-nodes",
      start() {
        // Not awaited: a slow DNS or QRS must not hold the start; qlik.host as an address counts at once.
        timedRefresh();
        stopTimer = every(deps.clock, deps.intervalMs ?? INTERVAL_MS, timedRefresh);
      },
      stop() {
        stopTimer?.();
        stopTimer = undefined;
      },
    }),
  };
}
