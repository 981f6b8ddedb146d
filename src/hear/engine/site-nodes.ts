// The site's nodes as QRS lists them (servernodeconfiguration), read at most every few minutes: a reload line that
// names a node the site does not have is not the Engine's (a forged datagram from an allowed address). The whole name
// is matched: sense1.corp.example, or a bare sense1 (the Engine may log the machine's short name); sense1.evil.example
// is not sense1.corp.example's node (issue 75, E1b).
import { isIP } from "node:net";
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import type { QrsClient } from "../../platform/qlik/qrs-client";

const NodeRows = z.array(z.looseObject({ hostName: z.string().nullish(), name: z.string().nullish() }));
const TTL_MS = 5 * 60_000;

export interface SiteNodes {
  /** true or false as QRS lists the site's nodes; undefined when QRS cannot say (no QRS, QRS down). */
  known(host: string): Promise<boolean | undefined>;
}

export function createSiteNodes(qrs: QrsClient | undefined, clock: Clock, timeoutMs: number): SiteNodes {
  /** Full host names and node names, lower case; `shorts`: the first label of each host name, for a bare name. */
  let names: Set<string> | undefined;
  let shorts = new Set<string>();
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;
  async function refresh(): Promise<void> {
    try {
      const rows = await qrs!.getJson("servernodeconfiguration", NodeRows, {}, { timeoutMs, retries: 1 });
      names = new Set(rows.flatMap((r) => [r.hostName, r.name].filter((x): x is string => Boolean(x)).map((x) => x.toLowerCase())));
      shorts = new Set(rows.flatMap((r) => (r.hostName && isIP(r.hostName) === 0 ? [r.hostName.toLowerCase().split(".")[0]!] : [])));
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
      return names.has(h) || (!h.includes(".") && shorts.has(h));
    },
  };
}
