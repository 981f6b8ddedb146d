// The chain graph the watchdog reads from QRS (task-event triggers: which task starts after which), seen from the
// side of a cause: what will not run after a task fails, and which tasks and upstreams feed an app. Built once per
// plan (stored-chains.ts, from the plan kept in the store; chainGraphSource, from one held in memory, memoised on the
// plan object, which it does not keep alive), so a lookup costs a map read.

/** The part of the watchdog's plan the graph needs (structural, so grouping does not depend on watchdog internals). */
export interface PlannedChains {
  tasks: ReadonlyMap<
    string,
    { id: string; name: string; enabled: boolean; appId?: string; chains: ReadonlyArray<{ upstreamIds: string[]; ruleStates: number[] }> }
  >;
  apps: ReadonlyMap<string, { id: string; name: string; stream?: string }>;
}

export interface GraphTask {
  id: string;
  name: string;
  appId?: string;
  appName?: string;
  stream?: string;
}

export interface ChainGraph {
  task(id: string): GraphTask | undefined;
  /** Tasks that start only after this one succeeds, and the tasks after those (each once, nearest first). */
  downstreamOf(taskId: string): GraphTask[];
  /** Tasks this one waits for, and theirs (each once). */
  upstreamOf(taskId: string): string[];
  /** Tasks that reload the app. */
  tasksOfApp(appId: string): string[];
  taskIdByName(name: string): string | undefined;
}

/** A chain longer than this is cut: a symptom lookup must stay bounded on a pathological graph. */
const MAX_WALK = 2_000;
/** QRS composite rule state 1: the downstream waits for the upstream's success (2 would be its failure). */
const ON_SUCCESS = 1;

function walk(start: string, next: ReadonlyMap<string, string[]>): string[] {
  const seen = new Set<string>([start]);
  const queue = [start];
  const out: string[] = [];
  while (queue.length > 0 && out.length < MAX_WALK) {
    for (const n of next.get(queue.shift()!) ?? []) {
      if (seen.has(n)) continue;
      seen.add(n);
      out.push(n);
      queue.push(n);
    }
  }
  return out;
}

export function buildChainGraph(plan: PlannedChains): ChainGraph {
  const down = new Map<string, string[]>();
  const up = new Map<string, string[]>();
  const byApp = new Map<string, string[]>();
  const byName = new Map<string, string>();
  const add = (m: Map<string, string[]>, k: string, v: string) => void (m.get(k) ?? m.set(k, []).get(k)!).push(v);
  for (const t of plan.tasks.values()) {
    const id = t.id.toLowerCase();
    byName.set(t.name.toLowerCase(), id);
    if (t.appId) add(byApp, t.appId.toLowerCase(), id);
    if (!t.enabled) continue;
    for (const c of t.chains)
      c.upstreamIds.forEach((u, k) => {
        add(up, id, u.toLowerCase());
        if ((c.ruleStates[k] ?? ON_SUCCESS) === ON_SUCCESS) add(down, u.toLowerCase(), id);
      });
  }
  // The graph keeps what it answers with, not the plan: the watchdog replaces its plan as QRS changes, and a graph
  // that held the old one kept a second copy of the site in memory until the next failure asked again.
  const tasks = new Map<string, GraphTask>();
  for (const t of plan.tasks.values()) {
    const app = t.appId ? (plan.apps.get(t.appId) ?? plan.apps.get(t.appId.toLowerCase())) : undefined;
    tasks.set(t.id.toLowerCase(), {
      id: t.id.toLowerCase(),
      name: t.name,
      ...(t.appId ? { appId: t.appId.toLowerCase() } : {}),
      ...(app ? { appName: app.name } : {}),
      ...(app?.stream ? { stream: app.stream } : {}),
    });
  }
  const task = (id: string): GraphTask | undefined => {
    const t = tasks.get(id.toLowerCase());
    return t && { ...t };
  };
  return {
    task,
    downstreamOf: (id) => walk(id.toLowerCase(), down).flatMap((d) => task(d) ?? []),
    upstreamOf: (id) => walk(id.toLowerCase(), up),
    tasksOfApp: (appId) => byApp.get(appId.toLowerCase()) ?? [],
    taskIdByName: (name) => byName.get(name.toLowerCase()),
  };
}

/** The graph of the plan the watchdog holds now, built once per plan it reads. */
export function chainGraphSource(read: () => PlannedChains | undefined): () => ChainGraph | undefined {
  // The plan is known weakly: it is only compared with the watchdog's current one, never kept alive by the graph.
  let last: { plan: WeakRef<PlannedChains>; graph: ChainGraph } | undefined;
  return () => {
    const plan = read();
    if (!plan) return undefined;
    if (last?.plan.deref() !== plan) last = { plan: new WeakRef(plan), graph: buildChainGraph(plan) };
    return last.graph;
  };
}
