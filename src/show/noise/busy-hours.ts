// "Move a trigger out of the node's busiest hour": a task whose pages come in the hour its node is busiest (the most
// reloads running and waiting for an engine, as the watchdog counts them) may fail or run long because of the queue,
// not because of itself. Its trigger is in the QMC, so the proposal says what to change there; it has no edit.
import type { NoisySource, Proposal } from "./types";

/** A node's load per hour of the day (0–23, in the report's zone): reload time running and waiting in that hour. */
export type NodeLoad = ReadonlyMap<string, readonly number[]>;

/** Share of a task's pages that fall in its node's busiest hour before a move is proposed. */
const IN_BUSIEST_SHARE = 0.75;

/** "reload01.corp.example" and "RELOAD01" are one node. */
export const nodeKey = (host: string): string => host.toLowerCase().split(".")[0]!;

/** Per node, the hours of the day its load fell in, summed over the window. */
export function loadByHour(hours: ReadonlyArray<{ node: string; hourMs: number; runningMs: number; waitingMs: number }>, zone: string): Map<string, number[]> {
  const f = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", hourCycle: "h23" });
  const out = new Map<string, number[]>();
  for (const h of hours) {
    const key = nodeKey(h.node);
    const row = out.get(key) ?? new Array<number>(24).fill(0);
    row[Number(f.format(h.hourMs)) % 24]! += h.runningMs + h.waitingMs;
    out.set(key, row);
  }
  return out;
}

const hh = (h: number) => `${String(h).padStart(2, "0")}:00`;

/** `idOf(change)`: the proposal's id for this task and change (propose.ts's proposalId). */
export function triggerProposal(s: NoisySource, load: NodeLoad | undefined, idOf: (change: unknown) => string): Proposal | undefined {
  const row = s.node ? load?.get(nodeKey(s.node)) : undefined;
  // Only a task a schedule trigger starts has a trigger to move (not one a chain or a person starts), and only when
  // nobody acted on most of its pages.
  if (!row || s.pages < 2 || !s.taskId || s.scheduled * 2 < s.pages || s.acknowledged * 2 > s.pages) return undefined;
  const busiest = row.indexOf(Math.max(...row));
  if (row[busiest]! <= 0 || s.hours.filter((h) => h === busiest).length / s.hours.length < IN_BUSIEST_SHARE) return undefined;
  // The quietest hour; on a tie the first after the busiest one (later the same night rather than the day before).
  const order = Array.from({ length: 23 }, (_, i) => (busiest + 1 + i) % 24);
  const quietest = order.reduce((best, h) => (row[h]! < row[best]! ? h : best), order[0]!);
  const path = `QMC › Tasks › ${s.name} › Triggers`;
  return {
    id: idOf({ from: busiest, to: quietest }),
    kind: "move-trigger",
    about: `task ${s.name}`,
    title: `${s.name}: move its trigger from ${hh(busiest)} to ${hh(quietest)}, out of ${s.node}'s busiest hour`,
    why: `${s.pages} pages, most of them in ${hh(busiest)}–${hh((busiest + 1) % 24)}, the hour ${s.node} has the most reloads running and waiting for an engine; ${hh(quietest)} is its quietest.`,
    path,
    yaml: `# Made in the QMC, not in Steward's config: ${path}\n# start at ${hh(quietest)} instead of ${hh(busiest)} (${s.node}'s quietest hour)`,
    live: false,
  };
}
