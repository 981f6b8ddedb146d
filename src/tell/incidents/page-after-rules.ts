// incidents.pageAfter: which task's or app's failures wait for N of them within a window before they page. The first
// rule that matches the task goes on its events (`pageAfter`), for every route without a threshold of its own.
import { globMatch } from "../../platform/core/glob";
import type { TaskEvent } from "../../platform/events/types";
import type { IncidentsConfig } from "./config";

type Rule = IncidentsConfig["pageAfter"][number];

function matches(r: Rule, e: TaskEvent): boolean {
  const id = (xs: readonly string[] | undefined, v: string | undefined) => !xs || (v !== undefined && xs.some((x) => x.toLowerCase() === v.toLowerCase()));
  const name = (gs: readonly string[] | undefined, v: string | undefined) => !gs || (v !== undefined && gs.some((g) => globMatch(g, v)));
  return id(r.taskIds, e.task.id) && name(r.taskNames, e.task.name) && id(r.appIds, e.app?.id) && name(r.appNames, e.app?.name);
}

export function withPageAfter(e: TaskEvent, rules: readonly Rule[]): TaskEvent {
  const i = rules.findIndex((r) => matches(r, e));
  if (i < 0) return e;
  const r = rules[i]!;
  return { ...e, pageAfter: { failures: r.failures, withinMs: r.within, from: `incidents.pageAfter[${i}]` } };
}
