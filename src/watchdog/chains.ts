// Chains that cannot work, found from the triggers alone: task-event (composite) trigger cycles, and a task
// whose schema triggers fire at the same moment (the second start is refused while the first runs).
import { z } from "zod";
import { nextExpectedStart, type ScheduleTrigger } from "./schedule";

const TaskRef = z.looseObject({ id: z.string(), name: z.string().default("") }).nullable().optional();
const QrsCompositeEvent = z.looseObject({
  id: z.string(),
  name: z.string().default(""),
  enabled: z.boolean(),
  reloadTask: TaskRef,
  externalProgramTask: TaskRef,
  userSyncTask: TaskRef,
  compositeRules: z.array(z.looseObject({ ruleState: z.number().int(), reloadTask: TaskRef, externalProgramTask: TaskRef, userSyncTask: TaskRef })),
});

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

export function readCompositeEvent(raw: unknown): CompositeRead {
  const r = QrsCompositeEvent.safeParse(raw);
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

/** Each cycle once, as task ids in order starting from the smallest id (so the same cycle reads the same). */
export function findCycles(edges: readonly ChainEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) for (const up of e.upstreamIds) (next.get(up) ?? next.set(up, new Set()).get(up)!).add(e.taskId);
  const seen = new Set<string>();
  const out: string[][] = [];
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (n: string) => {
    stack.push(n);
    onStack.add(n);
    for (const m of next.get(n) ?? []) {
      if (onStack.has(m)) {
        const cyc = stack.slice(stack.indexOf(m));
        const min = cyc.indexOf([...cyc].sort()[0]!);
        const norm = [...cyc.slice(min), ...cyc.slice(0, min)];
        const key = norm.join(">");
        if (!seen.has(key)) {
          seen.add(key);
          out.push(norm);
        }
      } else if (stack.length < 10_000 && !stack.includes(m)) visit(m);
    }
    stack.pop();
    onStack.delete(n);
  };
  for (const start of [...next.keys()].sort()) visit(start);
  return out;
}

/** Pairs of one task's enabled schema triggers whose next `horizon` fires coincide (within `toleranceMs`). */
export function findDoubleTriggers(triggers: readonly ScheduleTrigger[], fromMs: number, horizon = 50, toleranceMs = 60_000): [string, string][] {
  const fires = triggers.map((t) => {
    const list: number[] = [];
    let at = fromMs;
    for (let i = 0; i < horizon; i++) {
      const n = nextExpectedStart(t, at);
      if (n === undefined) break;
      list.push(n);
      at = n;
    }
    return list;
  });
  const pairs: [string, string][] = [];
  for (let i = 0; i < triggers.length; i++)
    for (let j = i + 1; j < triggers.length; j++)
      if (fires[i]!.some((a) => fires[j]!.some((b) => Math.abs(a - b) <= toleranceMs))) pairs.push([triggers[i]!.name, triggers[j]!.name]);
  return pairs;
}
