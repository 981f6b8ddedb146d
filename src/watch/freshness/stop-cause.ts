// The cause that stops a promised chain, named in the promise's projection and alerts (issue 76: "cannot be met until
// cause #3 is fixed"). The causes are the grouping's (src/tell/grouping); the composition root hands the judge a lookup
// of the cause holding a task up, so this wing reads no cause table. Asked once per judgement and chain, only for a
// chain that stopped (a failed run, a task that did not start) or whose projection passes the deadline.
import type { ChainEta, StopCause } from "./chain-eta";

export type { StopCause } from "./chain-eta";

/** What of a finding (judge.ts) the lookup needs. */
type FindingRef = { app: { appId: string }; cycleStartMs?: number; deadlineMs: number };

/** What the lookup answers (src/tell/grouping/task-holder.ts): the cause, and the task of those asked about it holds. */
export interface TaskHolderAnswer {
  id: number;
  causeKey: string;
  title: string;
  openedAt: number;
  closedAt: number | null;
  taskId: string;
}

/** The cause holding up a task of the chain (earlier ids first): open, else ended at or after `sinceMs`. */
export type HolderOfTasks = (taskIds: readonly string[], sinceMs: number) => Promise<TaskHolderAnswer | undefined>;

const KINDS: ReadonlyArray<[string, StopCause["kind"]]> = [
  ["node:", "node"],
  ["upstream:", "upstream"],
  ["checkin:", "job"],
  ["queue:", "queue"],
];

/** Why the deadline cannot be kept, naming the cause: until it is fixed (open) and the task it held runs again. */
export function causeReason(c: StopCause): string {
  return c.closedMs === undefined
    ? `${c.text} holds "${c.task}" in its chain: the deadline cannot be met until that cause is fixed and "${c.task}" runs again`
    : `${c.text} stopped "${c.task}" in its chain: the deadline cannot be met until "${c.task}" runs again`;
}

/**
 * The same for the people who use the app: the kind of trouble and that it is known, never a node's or task's name.
 * None for a failed load that is its own cause: the users' words for a failure (projection.ts) already say it all.
 */
export function causeForUsers(c: StopCause): string | undefined {
  const what =
    c.kind === "node"
      ? `a Qlik server its loads run on ${c.closedMs === undefined ? "is" : "was"} down`
      : c.kind === "job"
        ? "the data it is loaded from did not arrive"
        : c.kind === "queue"
          ? "the Qlik servers' queue was backed up"
          : undefined;
  return what && `${what} (a known outage, #${c.id}, that the administrators are on): a load it depends on has to run again`;
}

type Raw<F extends FindingRef> = (f: F) => ChainEta | undefined;
interface Entry {
  eta: ChainEta | undefined;
  sinceMs: number;
  ids: string[];
  names: Map<string, string>;
  cause?: StopCause;
  asked?: true;
}

/**
 * The chain projections of one judgement, each with the cause that stops it once `resolve` has asked: `etaOf` first
 * notes the chains worth asking about, `resolve` asks (true when a cause was found: judge again with it).
 */
export function createStopCauses<F extends FindingRef>(raw: Raw<F>, holderOf: HolderOfTasks | undefined, at: (ms: number) => string, nowMs: number) {
  const entries = new Map<string, Entry>();
  const etaOf = (f: F): ChainEta | undefined => {
    const sinceMs = f.cycleStartMs ?? nowMs - 86_400_000;
    const key = `${f.app.appId}|${sinceMs}`;
    let e = entries.get(key);
    if (!e) {
      const eta = raw(f);
      e = { eta, sinceMs, ids: [], names: new Map() };
      entries.set(key, e);
    }
    const eta = e.eta;
    if (!eta) return undefined;
    if (!e.asked && e.ids.length === 0) {
      const stops = eta.problems.filter((p) => (p.state === "failed" || p.state === "stopped" || p.state === "queued") && p.taskId);
      for (const p of stops) e.names.set(p.taskId!.toLowerCase(), p.task);
      const bound = eta.expectedMs ?? eta.earliestMs;
      const late = bound !== undefined && bound > f.deadlineMs;
      if (stops.length > 0) e.ids = stops.map((p) => p.taskId!.toLowerCase());
      else if (late) {
        e.ids = eta.viaIds.map((id) => id.toLowerCase());
        eta.viaIds.forEach((id, i) => e!.names.set(id.toLowerCase(), eta.via[i] ?? id));
      }
    }
    return e.cause ? { ...eta, cause: e.cause } : eta;
  };
  return {
    etaOf,
    async resolve(): Promise<boolean> {
      if (!holderOf) return false;
      let found = false;
      for (const e of entries.values()) {
        if (e.asked || e.ids.length === 0) continue;
        e.asked = true;
        const h = await holderOf(e.ids, e.sinceMs);
        if (!h) continue;
        const span = h.closedAt === null ? `since ${at(h.openedAt)}` : `${at(h.openedAt)} to ${at(h.closedAt)}`;
        e.cause = {
          id: h.id,
          title: h.title,
          kind: KINDS.find(([prefix]) => h.causeKey.startsWith(prefix))?.[1] ?? "other",
          openedMs: h.openedAt,
          ...(h.closedAt !== null ? { closedMs: h.closedAt } : {}),
          task: e.names.get(h.taskId.toLowerCase()) ?? h.taskId,
          text: `cause #${h.id} (${h.title}, ${span})`,
        };
        found = true;
      }
      return found;
    },
  };
}
