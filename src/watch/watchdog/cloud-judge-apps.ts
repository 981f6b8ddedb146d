// The watchdog's judgement of a Qlik Cloud tenant's apps in a look: an app whose scheduled reload did not
// succeed in time (by the plan, as on Qlik Sense) is stale (app.stale).
import { cloudStaleApps } from "./cloud-stale";
import type { CloudJudgeDeps, TenantLook } from "./cloud-tenant-look";

/** Opens app.stale for the apps found stale; returns each app's last successful reload (to close what is over). */
export async function judgeApps(deps: CloudJudgeDeps, look: TenantLook): Promise<Map<string, number>> {
  const { t, prefix, now, tasks, openKeys, judged } = look;
  const { ends, fetched, fetchRuns } = look.runs;
  const { cfg, event } = deps;
  const judgeStale = () =>
    cfg.stale.enabled
      ? cloudStaleApps({
          tasks,
          ends,
          nowMs: now,
          watched: (x) => judged.has(x.id),
          graceOf: (x) => judged.get(x.id)!.grace,
          limitOf: (x) => judged.get(x.id)?.limit,
          tooCostly: (x, err) => {
            const key = `${prefix}${x.id}@${x.updatedAt}`;
            if (!deps.costly.has(key)) look.costly.push(deps.costly.mark(key, t, x, err));
          },
        })
      : { lastSuccessByApp: new Map<string, number>(), stale: [] };
  let { lastSuccessByApp, stale } = judgeStale();
  // The list shows only each task's newest run: runs Steward did not see (the tenant could not be read for a while)
  // are read from the task's history before an app is called stale, and an app whose history was not read is not.
  const appTasks = (appId: string) => tasks.filter((x) => x.appId === appId && judged.has(x.id));
  const candidates = stale.filter((a) => !openKeys.has(`${prefix}stale:${a.appId}`));
  for (const a of candidates) for (const x of appTasks(a.appId)) await fetchRuns(x);
  if (candidates.length > 0) ({ lastSuccessByApp, stale } = judgeStale());
  for (const a of stale) {
    const key = `${prefix}stale:${a.appId}`;
    if (openKeys.has(key) || !appTasks(a.appId).every((x) => fetched.has(x.id))) continue;
    const details = { lastSuccessAtMs: a.lastSuccessMs, expectWithinMs: a.withinMs, expectedAtMs: a.expectedAtMs };
    const e = await event(t, a.task, { kind: "app.stale", type: "stale", key, openedMs: a.lastSuccessMs, appId: a.appId, details });
    await deps.sink.open({ key, type: "stale", taskId: a.task.id, appId: a.appId, openedMs: a.lastSuccessMs, event: e });
    openKeys.add(key);
  }
  return lastSuccessByApp;
}
