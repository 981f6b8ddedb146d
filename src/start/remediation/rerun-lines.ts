// The line a queue cause's update carries while a person's re-run of that cause is pending: the runs the queue
// cancelled since join it (rerun-join.ts), so whoever pressed sees the new cancellations are covered, and nobody
// presses again for nothing. With no re-run pending the update says nothing here: its Re-run link offers one.
import type { DomainEvent } from "../../platform/events/types";
import type { ActionStore } from "./action-store";

const UNFINISHED = new Set(["pending", "claimed", "started"]);

export async function rerunJoinLines(store: Pick<ActionStore, "ofCause">, e: DomainEvent, at: (ms: number) => string): Promise<string[]> {
  if (("source" in e && e.source === "test") || !e.cause?.update || e.cause.status !== "open" || !e.cause.title.startsWith("reload queue backed up on "))
    return [];
  const actions = (await store.ofCause(e.cause.id)).filter((a) => a.kind === "rerun" && a.requestedFrom !== "rule");
  if (!actions.some((a) => UNFINISHED.has(a.status))) return [];
  const first = actions[0]!;
  return [
    `The runs cancelled since join the re-run of the cancelled runs asked by ${first.requestedBy} at ${at(first.requestedAt)} (action #${first.id}): Steward starts them once the queue has drained, after the ${actions.length} asked for before, each once.`,
  ];
}
