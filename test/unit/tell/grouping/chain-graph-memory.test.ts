// The grouping rules' chain graph is built from the watchdog's plan, memoised on it, but must not keep it: the
// watchdog replaces its plan as QRS changes, and a graph holding the old plan kept a second copy of the whole site
// (every task with its triggers and schedules) until the next failure asked for a graph (issue 57: found at ×10).
import { expect, test } from "bun:test";
import { chainGraphSource, type PlannedChains } from "../../../../src/tell/grouping/chain-graph";

function makePlan(n: number): PlannedChains {
  const tasks = new Map<
    string,
    { id: string; name: string; enabled: boolean; appId?: string; chains: Array<{ upstreamIds: string[]; ruleStates: number[] }> }
  >();
  for (let i = 0; i < n; i++)
    tasks.set(`T${i}`, {
      id: `T${i}`,
      name: `Task ${i}`,
      enabled: true,
      appId: `A${i}`,
      chains: i > 0 ? [{ upstreamIds: [`T${i - 1}`], ruleStates: [1] }] : [],
    });
  const apps = new Map([...tasks.values()].map((t) => [t.appId!, { id: t.appId!, name: `App of ${t.name}`, stream: "Finance" }]));
  return { tasks, apps };
}

/** Asks the source for a graph of a plan that is then replaced; answers the old plan, weakly, and the graph. */
function graphOfReplacedPlan(): { old: WeakRef<PlannedChains>; graph: ReturnType<ReturnType<typeof chainGraphSource>> } {
  let current: PlannedChains = makePlan(200);
  const source = chainGraphSource(() => current);
  const graph = source();
  const old = new WeakRef(current);
  current = makePlan(3);
  return { old, graph };
}

test("a graph answers from what it derived; the plan it was built from can go once the watchdog replaced it", async () => {
  const { old, graph } = graphOfReplacedPlan();
  // The collector scans stacks conservatively: a stale word left by other work in the same process (a run with many
  // files, as in a merged run here) can hold the plan for a few more collections. It goes within 50 here.
  for (let i = 0; i < 50 && old.deref() !== undefined; i++) {
    Bun.gc(true);
    await Bun.sleep(10 + i);
  }
  expect(old.deref()).toBeUndefined();
  // The graph still answers for the site it was built from.
  expect(graph!.task("t5")).toEqual({ id: "t5", name: "Task 5", appId: "a5", appName: "App of Task 5", stream: "Finance" });
  expect(graph!.downstreamOf("T197").map((t) => t.name)).toEqual(["Task 198", "Task 199"]);
  expect(graph!.upstreamOf("T2")).toEqual(["t1", "t0"]);
  expect(graph!.tasksOfApp("A7")).toEqual(["t7"]);
});
