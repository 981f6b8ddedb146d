// The doctor's lines about Steward's own ears: nodes whose Engine lines stopped coming while their Scheduler ran
// reloads, and nodes whose runs QRS records but whose Scheduler's datagrams never arrive (both from the store, so any
// Steward of a cluster may have found them). Each names the node and the fix.
import type { IncompleteNode } from "../../hear/engine";
import type { SilentNode } from "../../hear/intake";
import type { DoctorProbe } from "./types";

export interface EarsSources {
  engineLines?: () => Promise<IncompleteNode[]>;
  silentNodes?: () => Promise<SilentNode[]>;
  formatTime(ms: number): string;
}

export function earsProbes(ears: EarsSources): DoctorProbe[] {
  const probes: DoctorProbe[] = [];
  const { engineLines, silentNodes, formatTime } = ears;
  if (engineLines)
    probes.push({
      check: "engine lines",
      async run() {
        const nodes = await engineLines();
        if (nodes.length === 0) return { ok: true, detail: "every node whose Engine sends lines sent them for its Scheduler's reloads" };
        return {
          ok: false,
          detail: nodes
            .map((n) => `Engine lines incomplete on ${n.host} since ${formatTime(n.since)}: the Scheduler's reload "${n.task}" had no Engine line`)
            .join("; "),
          fix: nodes.map((n) => n.fix).join(" "),
        };
      },
    });
  if (silentNodes)
    probes.push({
      check: "scheduler datagrams",
      async run() {
        const nodes = await silentNodes();
        if (nodes.length === 0) return { ok: true, detail: "no node's runs reach Steward only from QRS" };
        return {
          ok: false,
          detail: nodes.map((n) => `no task events from ${n.host} since ${formatTime(n.since)}: its runs reach Steward only from QRS, minutes late`).join("; "),
          fix: nodes.map((n) => n.fix).join(" "),
        };
      },
    });
  return probes;
}
