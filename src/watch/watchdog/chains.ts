// Chains that cannot work, found from the triggers alone: task-event (composite) trigger cycles, and a task
// whose schema triggers fire at the same moment (the second start is refused while the first runs).
import { z } from "zod";
import { parseRow, type RowParses } from "./row-parses";
import { nextExpectedStart, type ScheduleTrigger } from "./schedule";

const TaskRef = z.lazy(() =>
  z
    .object({ id: z.string(), name: z.string().default("") })
    .nullable()
    .optional(),
);
const QrsCompositeEvent = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string().default(""),
    enabled: z.boolean(),
    reloadTask: TaskRef,
    externalProgramTask: TaskRef,
    userSyncTask: TaskRef,
    compositeRules: z.array(z.object({ ruleState: z.number().int(), reloadTask: TaskRef, externalProgramTask: TaskRef, userSyncTask: TaskRef })),
  }),
);

export interface ChainEdge {
  /** The downstream task (the trigger's owner). */
  taskId: string;
  taskName: string;
  triggerName: string;
  upstreamIds: string[];
  /** Per upstream: 1 waits for success, 2 for failure. */
  ruleStates: number[];
}

export type CompositeRead = { ok: true; edge: ChainEdge; enabled: boolean } | { ok: false; error: string };

const refOf = (x: { reloadTask?: unknown; externalProgramTask?: unknown; userSyncTask?: unknown }) =>
  (x.reloadTask ?? x.externalProgramTask ?? x.userSyncTask ?? undefined) as { id: string; name: string } | undefined;

export function readCompositeEvent(raw: unknown, parses?: RowParses): CompositeRead {
  const r = parseRow(parses, QrsCompositeEvent, raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    return { ok: false, error: `task-event trigger: field ${i.path.join(".") || "(root)"}: ${i.message}` };
  }
  const owner = refOf(r.data);
  if (!owner) return { ok: false, error: `task-event trigger '${r.data.name}' names no task it starts` };
  const ups = r.data.compositeRules.map(refOf);
  if (ups.some((u) => !u)) return { ok: false, error: `task-event trigger '${r.data.name}' of task '${owner.name}' has a rule naming no upstream task` };
  return {
    ok: true,
    enabled: r.data.enabled,
    edge: {
      taskId: owner.id.toLowerCase(),
      taskName: owner.name,
      triggerName: r.data.name,
      upstreamIds: ups.map((u) => u!.id.toLowerCase()),
      ruleStates: r.data.compositeRules.map((c) => c.ruleState),
    },
  };
}

/**
 * Each group of tasks that wait for one another in a loop, once (a strongly connected component of the
 * "upstream → downstream" graph with more than one task, or a task waiting on itself), ids sorted. Tarjan's
 * algorithm, iterative: linear in the chain size, no recursion depth limit.
 */
export function findCycles(edges: readonly ChainEdge[]): string[][] {
  const next = new Map<string, string[]>();
  const selfLoop = new Set<string>();
  for (const e of edges)
    for (const up of e.upstreamIds) {
      if (up === e.taskId) selfLoop.add(up);
      (next.get(up) ?? next.set(up, []).get(up)!).push(e.taskId);
      if (!next.has(e.taskId)) next.set(e.taskId, []);
    }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const root of [...next.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: string; i: number }[] = [{ node: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const succ = next.get(top.node)!;
      if (top.i < succ.length) {
        const m = succ[top.i++]!;
        if (!index.has(m)) {
          index.set(m, counter);
          low.set(m, counter++);
          stack.push(m);
          onStack.add(m);
          work.push({ node: m, i: 0 });
        } else if (onStack.has(m)) low.set(top.node, Math.min(low.get(top.node)!, index.get(m)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const comp: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          comp.push(n);
        } while (n !== top.node);
        if (comp.length > 1 || selfLoop.has(top.node)) out.push(comp.sort());
      }
    }
  }
  return out.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/**
 * Pairs of one task's enabled schema triggers whose next `horizon` fires coincide (within `toleranceMs`). The fires
 * of all the task's triggers are sorted once and swept, so a task with many triggers (the QMC's way of writing
 * "every 15 minutes on weekdays" is one trigger per quarter hour) costs its number of fires, not its pairs squared.
 */
export function findDoubleTriggers(triggers: readonly ScheduleTrigger[], fromMs: number, horizon = 50, toleranceMs = 60_000): [string, string][] {
  const fires: Array<{ at: number; i: number }> = [];
  triggers.forEach((t, i) => {
    let at = fromMs;
    for (let k = 0; k < horizon; k++) {
      const n = nextExpectedStart(t, at);
      if (n === undefined) break;
      fires.push({ at: n, i });
      at = n;
    }
  });
  fires.sort((a, b) => a.at - b.at);
  const pairs = new Set<number>();
  const n = triggers.length;
  for (let a = 0; a < fires.length; a++)
    for (let b = a + 1; b < fires.length && fires[b]!.at - fires[a]!.at <= toleranceMs; b++) {
      const i = fires[a]!.i;
      const j = fires[b]!.i;
      if (i !== j) pairs.add(Math.min(i, j) * n + Math.max(i, j));
    }
  return [...pairs].sort((x, y) => x - y).map((p) => [triggers[Math.floor(p / n)]!.name, triggers[p % n]!.name]);
}

/** How long a task's answer stands while its triggers do not change: the next 50 fires move on as time passes. */
export const DOUBLE_CHECK_MAX_AGE_MS = 86_400_000;

/**
 * findDoubleTriggers per task, remembered between plan rebuilds: a task whose enabled triggers are as they were (the
 * same readings and QRS times) keeps its answer for up to a day, so a rebuild after one task changed computes the fires
 * of that task alone, not of the whole site. Tasks not asked about in a rebuild are forgotten (`sweep`).
 */
export interface DoubleTriggerMemo {
  pairs(taskId: string, triggers: readonly ScheduleTrigger[], nowMs: number): [string, string][];
  /** Forgets every task not asked about since the last sweep. */
  sweep(): void;
}

/** What a task's answer depends on: each trigger's reading and QRS's times for it (nextExpectedStart's inputs). */
const signatureOf = (triggers: readonly ScheduleTrigger[]) =>
  JSON.stringify(triggers.map((t) => [t.id, t.name, t.enabled, t.schedule, t.judgedByQrs, t.qrsNever, t.qrsNextMs, t.qrsEarlierMs]));

/** `find` is findDoubleTriggers (a test counts the tasks it is asked about). */
export function createDoubleTriggerMemo(maxAgeMs = DOUBLE_CHECK_MAX_AGE_MS, find = findDoubleTriggers): DoubleTriggerMemo {
  let kept = new Map<string, { signature: string; atMs: number; pairs: [string, string][] }>();
  let asked = new Map<string, { signature: string; atMs: number; pairs: [string, string][] }>();
  return {
    pairs(taskId, triggers, nowMs) {
      const signature = signatureOf(triggers);
      const old = asked.get(taskId) ?? kept.get(taskId);
      const entry =
        old && old.signature === signature && nowMs >= old.atMs && nowMs - old.atMs < maxAgeMs ? old : { signature, atMs: nowMs, pairs: find(triggers, nowMs) };
      asked.set(taskId, entry);
      return entry.pairs.map(([a, b]) => [a, b]);
    },
    sweep() {
      kept = asked;
      asked = new Map();
    },
  };
}
