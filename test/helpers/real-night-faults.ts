// The faults of a real night on the rich site (issue 64), judged by what the on-call channel receives with the route of
// docs/watchdog.md ("Setting it up") and every default: a node down 30 minutes at night and 2 hours by day, an upstream
// failure with four apps after it, a chain broken by a node the night after an unrelated failure of one of its tasks;
// beside them normal nights that must page nothing (two long-tailed tasks, a task that doubles at the month's start).
import type { Fault, Page } from "./rich-site-faults";
import { downstreamOf, type RichTask } from "./rich-site";
import { seededRandom } from "./seeded-random";

const DAY = 86_400_000;
const Z = (s: string) => Date.parse(s);

/** A fault with the cause its pages must name, and when Steward could first know of it. */
export interface NightFault extends Fault {
  /** The title of the cause its pages name. */
  cause: RegExp;
  /** When Steward could know (the node unreachable for `after`, the failing run ended). */
  knowableAt: number;
}

/** The route of docs/watchdog.md "Setting it up", exactly. */
export const DOCUMENTED_ROUTE = "on: [task.missed, task.chain_broken, task.running_long, app.stale, task.disabled, task.on_track]";

export function realNightFaults(tasks: RichTask[]): NightFault[] {
  const withDownstream = (names: string[]) => [...new Set(names.flatMap((n) => [n, ...downstreamOf(tasks, n).map((t) => t.name)]))];
  const onNode = (node: string) => tasks.filter((t) => t.node === node).map((t) => t.name);
  const nodeDown = (name: string, node: string, from: string, to: string, explainsUntil: string): NightFault => ({
    name,
    at: Z(from),
    apply: [{ nodeDown: node }],
    revertAt: Z(to),
    revert: [{ nodeUp: node }],
    explainsTasks: withDownstream(onNode(node)),
    explainsUntil: Z(explainsUntil),
    expects: [{ kind: "task.missed" }],
    cause: new RegExp(`(Qlik services down on|every run fails on|no task starts on) ${node === "Reload01" ? "sense2" : "sense3"}`),
    // grouping.nodeDown.unreachable.after (2 minutes) of reads every 30 s
    knowableAt: Z(from) + 2.5 * 60_000,
  });
  const fails = (name: string, task: string, night: string, endsAt: string, explainsUntil: string): NightFault => ({
    name,
    at: Z(`${night}T22:00:00Z`) - DAY,
    apply: [{ patchTask: task, body: { outcome: "fail" } }],
    revertAt: Z(`${night}T05:00:00Z`),
    revert: [{ patchTask: task, body: { outcome: "succeed" } }],
    explainsTasks: withDownstream([task]),
    explainsUntil: Z(explainsUntil),
    expects: [],
    cause: new RegExp(`^${task} failed`),
    knowableAt: Z(endsAt),
  });
  return [
    nodeDown(
      "node Reload02 down 30 minutes at night (Tuesday 02:00–02:30)",
      "Reload02",
      "2026-03-24T01:00:00Z",
      "2026-03-24T01:30:00Z",
      "2026-03-24T12:00:00Z",
    ),
    nodeDown("node Reload01 down 2 hours by day (Wednesday 11:00–13:00)", "Reload01", "2026-03-25T10:00:00Z", "2026-03-25T12:00:00Z", "2026-03-25T18:00:00Z"),
    // QVD 07 (01:30, 21 minutes) feeds Model 07, Front 07 and Mashup 01: with its own, four apps stay as of yesterday.
    fails("an upstream failure with four apps after it (QVD 07, Thursday night)", "QVD 07", "2026-03-26", "2026-03-26T00:51:00Z", "2026-03-27T12:00:00Z"),
    // Model 10 fails on Friday night for a reason of its own; on Saturday night Reload02 is down as QVD 10 ends, so
    // Model 10 does not start: that chain break is the node's, not Friday's failure's.
    fails("Model 10 fails (Friday night)", "Model 10", "2026-03-27", "2026-03-27T01:30:00Z", "2026-03-29T06:00:00Z"),
    nodeDown("node Reload02 down as QVD 10 ends (Saturday 02:15–02:45)", "Reload02", "2026-03-28T01:15:00Z", "2026-03-28T01:45:00Z", "2026-03-28T12:00:00Z"),
  ];
}

/** Normal nights that must page nothing: two lognormal long-tailed tasks every night, a task that doubles on 1 April. */
export function realNightVariations(tasks: RichTask[], start: number, days: number): Fault[] {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const random = seededRandom(64);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const night = (task: string, n: number, factor: number, why: string): Fault => ({
    name: `${task} takes ${factor.toFixed(2)}× its usual (${why})`,
    at: start + n * DAY - 2 * 3_600_000,
    apply: [{ patchTask: task, body: { durationMs: Math.round(factor * byName.get(task)!.durationMs) } }],
    revertAt: start + n * DAY + 8 * 3_600_000,
    revert: [{ patchTask: task, body: { durationMs: byName.get(task)!.durationMs } }],
    explainsTasks: [],
    explainsUntil: 0,
    expects: [],
  });
  const out: Fault[] = [];
  for (let n = 1; n < days; n++)
    for (const task of ["QVD 09", "QVD 22"]) out.push(night(task, n, Math.min(4, Math.max(0.6, Math.exp(0.5 * gauss()))), "a long tail"));
  // The first working day of April: a finance model that always takes twice as long then.
  const april = Math.round((Z("2026-04-01T00:00:00Z") - start) / DAY);
  if (april < days) out.push(night("Model 20", april, 2, "the month's first working day"));
  return out;
}

/** Per fault: the pages it explains (by its cause's title, or by its tasks and apps while it explains them). */
export function pagesOfFault(f: NightFault, pages: Page[], appOf: Map<string, string>): Page[] {
  return pages.filter(
    (p) =>
      (p.causeTitle !== undefined && f.cause.test(p.causeTitle) && p.at >= f.at && p.at <= f.explainsUntil + DAY) ||
      (p.causeTitle === undefined &&
        p.at >= f.at &&
        p.at <= f.explainsUntil &&
        ((p.task !== undefined && f.explainsTasks.includes(p.task)) || (p.app !== undefined && f.explainsTasks.some((n) => appOf.get(n) === p.app)))),
  );
}
