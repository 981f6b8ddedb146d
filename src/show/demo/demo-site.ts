// The simulated site the demo runs: the default site with its runs 20 times shorter (fixture durations are
// real-life minutes) and one QMC trigger of its own that falls due every two minutes, in place of the missed task's
// own, so the watchdog has a start to expect within the demo's first minute whatever the time of day. The simulator's Scheduler then runs at real speed: its
// triggers fire when QRS says they fall due, chains start when their upstream ends, and the watchdog judges a
// site that keeps its plan, except where the demo breaks it on purpose (watchdog-scenes.ts). It adds what the queue
// and hub scenes play on (outside-scenes.ts): a node of one engine with two tasks, and a published app whose script fails.
import { isMap, isSeq, parseDocument, type YAMLMap } from "yaml";
import { DEFAULT_SITE_YAML } from "../../sim";

/** Fixture durations are real-life minutes; the demo plays them at this fraction. */
export const DEMO_PLAY_SPEED = 1 / 20;
/** The task whose trigger the demo makes miss, and the one whose run it makes hang. */
export const DEMO_MISSED_TASK = "Reload Logistics KPIs";
export const DEMO_MISSED_TRIGGER = "Every 2 minutes (demo)";
export const DEMO_HUNG_TASK = "Reload Customer 360";
/** The node whose Scheduler queue the demo backs up, and its two tasks: one holds its only engine, one waits. */
export const DEMO_QUEUE_NODE = "Reload03";
export const DEMO_QUEUE_HOST = "sense4.corp.example";
export const DEMO_QUEUE_HOLDER = "Reload Warehouse stock";
export const DEMO_QUEUE_WAITER = "Reload Supplier scorecard";
/** The published app a person reloads from the hub, and fails: no task reloads it. */
export const DEMO_HUB_APP = "Sales forecast";
export const DEMO_HUB_ERROR = "Field 'ForecastWeek' not found";
const TRIGGER_PERIOD_MINUTES = 2;
/** The trigger's first due time, after start: Steward is up and watching by then. */
const FIRST_DUE_AFTER_MS = 30_000;

/** Site YAML for startSimulator's `site`; `nowMs` anchors the demo trigger's grid. */
export function buildDemoSite(nowMs: number, baseYaml: string = DEFAULT_SITE_YAML): string {
  const doc = parseDocument(baseYaml);
  const shorten = (m: YAMLMap) => {
    const ms = m.get("durationMs");
    if (typeof ms === "number") m.set("durationMs", Math.round(ms * DEMO_PLAY_SPEED));
  };
  const tasks = doc.get("tasks");
  const apps = doc.get("apps");
  if (!isSeq(tasks)) throw new Error("the default site has no tasks list");
  let armed = false;
  for (const t of tasks.items) {
    if (!isMap(t)) continue;
    shorten(t);
    if (t.get("name") !== DEMO_MISSED_TASK) continue;
    // QMC's custom repeat: every n minutes ("minutes hours days weeks"), from a start time in the trigger's zone.
    const startDate = new Date(Math.ceil((nowMs + FIRST_DUE_AFTER_MS) / 1000) * 1000).toISOString().replace("Z", "");
    const trigger = doc.createNode({
      type: "schema",
      name: DEMO_MISSED_TRIGGER,
      incrementOption: "custom",
      incrementDescription: `${TRIGGER_PERIOD_MINUTES} 0 0 0`,
      startDate,
      timeZone: "UTC",
    });
    // The demo's trigger is the task's only one: a fixture trigger firing up to a minute before the demo's due time
    // (the "Every 4 hours" one at 03:15 UTC in winter) is a start the watchdog takes as answering it, and the demo's
    // missed start then never came (CI at stop 72 ran the demo in that minute).
    t.set("triggers", doc.createNode([trigger]));
    armed = true;
  }
  if (!armed) throw new Error(`the default site has no task "${DEMO_MISSED_TASK}"`);
  if (isSeq(apps))
    for (const a of apps.items) {
      const reload = isMap(a) ? a.get("reload") : undefined;
      if (isMap(reload)) shorten(reload);
    }
  addSceneParts(doc, tasks, apps);
  return doc.toString();
}

/**
 * What the demo's queue and hub scenes need, apart from the site's own (so its other tasks and their pages stay as
 * they are): a node with one engine whose queue times out after a minute (QRS allows whole minutes; a site keeps 30),
 * two tasks there with no trigger, and a published app that no task reloads, whose script fails.
 */
function addSceneParts(doc: ReturnType<typeof parseDocument>, tasks: unknown, apps: unknown): void {
  const nodes = doc.get("nodes");
  if (!isSeq(nodes) || !isSeq(tasks) || !isSeq(apps)) throw new Error("the default site has no nodes, tasks or apps list");
  nodes.add(doc.createNode({ name: DEMO_QUEUE_NODE, hostName: DEMO_QUEUE_HOST, scheduler: { maxConcurrentEngines: 1, engineTimeout: 1 } }));
  for (const name of ["Warehouse stock", "Supplier scorecard"]) {
    apps.add(doc.createNode({ name, owner: "CORP\\ops_admin", stream: "Operations" }));
    tasks.add(doc.createNode({ name: `Reload ${name}`, type: "reload", app: name, node: DEMO_QUEUE_NODE, durationMs: 3_000 }));
  }
  apps.add(
    doc.createNode({
      name: DEMO_HUB_APP,
      owner: "CORP\\anna",
      stream: "Sales",
      description: "Weekly sales forecast per region.",
      reload: { durationMs: 3_000, outcome: "fail", error: DEMO_HUB_ERROR },
    }),
  );
}
