// The site's nodes as QRS lists them (servernodeconfiguration), read at most every few minutes: a reload line that
// names a node the site does not have is not the Engine's (a forged datagram from an allowed address). The whole name
// is matched: sense1.corp.example, or a bare sense1 (the Engine may log the machine's short name); sense1.evil.example
// is not sense1.corp.example's node (issue 75, E1b). A match gives the node's host name as QRS lists it, the one shown.
import { isIP } from "node:net";
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import type { QrsClient } from "../../platform/qlik/qrs-client";

const NodeRows = z.array(z.looseObject({ hostName: z.string().nullish(), name: z.string().nullish() }));
const TTL_MS = 5 * 60_000;

export interface SiteNodes {
  /**
   * The node's host name as QRS lists it when `host` is one of the site's nodes, false when it is not; undefined when
   * QRS cannot say (no QRS, QRS down).
   */
  known(host: string): Promise<string | false | undefined>;
}

export function createSiteNodes(qrs: QrsClient | undefined, clock: Clock, timeoutMs: number): SiteNodes {
  /** Full host names and node names, lower case, to the host name QRS lists; `shorts`: first labels of host names. */
  let names: Map<string, string> | undefined;
  let shorts = new Map<string, string>();
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;
  async function refresh(): Promise<void> {
    try {
      const rows = await qrs!.getJson("servernodeconfiguration", NodeRows, {}, { timeoutMs, retries: 1 });
      const byName = new Map<string, string>();
      const byShort = new Map<string, string>();
      for (const r of rows) {
        const shown = r.hostName || r.name;
        if (!shown) continue;
        for (const n of [r.hostName, r.name]) if (n) byName.set(n.toLowerCase(), shown);
        if (r.hostName && isIP(r.hostName) === 0) byShort.set(r.hostName.toLowerCase().split(".")[0]!, r.hostName);
      }
      names = byName;
      shorts = byShort;
    } catch {
      names = undefined;
    }
    readAt = clock.now();
  }
  return {
    async known(host) {
      if (!qrs) return undefined;
      if (clock.now() - readAt >= TTL_MS) {
        reading ??= refresh().finally(() => (reading = undefined));
        await reading;
      }
      if (!names || names.size === 0) return undefined;
      const h = host.trim().toLowerCase();
      return names.get(h) ?? (h.includes(".") ? undefined : shorts.get(h)) ?? false;
    },
  };
}
