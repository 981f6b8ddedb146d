// The Qlik Cloud chains a failed reload's cause lists (issue 76), as kept in the store by the watchdog's look and read
// by whichever Steward hears the failure: the tasks after the app's tasks, nearest first, only those started by a
// success and enabled; a look that changed nothing writes nothing; a changed one replaces the last. On both back ends.
import { afterAll, describe, expect, test } from "bun:test";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { type CloudTenantTasks, createCloudChains } from "../../../../src/tell/grouping/cloud-chains";
import { bothBackends } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-26T04:00:00Z");
const HOST = "corp.eu.qlikcloud.com";
const after = (upstreamId: string, on = "succeeded") => ({ kind: "task", upstreamId, on });
const TENANT: CloudTenantTasks = {
  host: HOST,
  tasks: [
    { id: "T-Extract", name: "Extract hourly", enabled: true, appId: "a-extract", trigger: { kind: "schedule" } },
    { id: "t-model", name: "Model after Extract", enabled: true, appId: "a-model", trigger: after("T-Extract") },
    { id: "t-report", name: "Report after Model", enabled: true, appId: "a-report", trigger: after("t-model") },
    { id: "t-mail", name: "Mail when Extract failed", enabled: true, trigger: after("T-Extract", "failed") },
    { id: "t-off", name: "Paused after Extract", enabled: false, appId: "a-off", trigger: after("T-Extract") },
  ],
};
const names = (xs: Array<{ taskName?: string }>) => xs.map((x) => x.taskName);

for (const backend of bothBackends()) {
  describe(backend.name, () => {
    afterAll(() => backend.shutdown());

    test("the tasks after a failed app's reload, nearest first: started by its success and enabled", async () => {
      const chains = createCloudChains(await backend.open([groupingMigrations]));
      expect(await chains.waiting(HOST, "a-extract", "e1")).toEqual([]);
      await chains.note(TENANT, T0);
      // The host in another case and the app id in another case are the same tenant and app.
      const waiting = await chains.waiting(HOST.toUpperCase(), "A-EXTRACT", "e1");
      expect(waiting).toEqual([
        { subject: "cloud-task:t-model", kind: "task.waiting", eventId: "e1", taskName: "Model after Extract", taskId: "t-model", appId: "a-model" },
        { subject: "cloud-task:t-report", kind: "task.waiting", eventId: "e1", taskName: "Report after Model", taskId: "t-report", appId: "a-report" },
      ]);
      expect(names(await chains.waiting(HOST, "a-model", "e2"))).toEqual(["Report after Model"]);
      expect(await chains.waiting("other.eu.qlikcloud.com", "a-extract", "e1")).toEqual([]);
    }, 60_000); // a hang guard: PostgreSQL's start on a loaded machine takes a while

    test("a look that changed nothing writes nothing; a changed one replaces the tenant's chains", async () => {
      const db = await backend.open([groupingMigrations]);
      const chains = createCloudChains(db);
      const readAt = async () => Number((await db.get<{ read_at: number }>("SELECT read_at FROM cause_cloud_tasks WHERE host = ?", [HOST]))?.read_at);
      await chains.note(TENANT, T0);
      await chains.note(TENANT, T0 + 60_000);
      expect(await readAt()).toBe(T0);
      // Report no longer waits for Model: it is left out from the next look on.
      const changed = { host: HOST, tasks: TENANT.tasks.map((t) => (t.id === "t-report" ? { ...t, trigger: { kind: "schedule" } } : t)) };
      await chains.note(changed, T0 + 120_000);
      expect(await readAt()).toBe(T0 + 120_000);
      expect(names(await chains.waiting(HOST, "a-extract", "e3"))).toEqual(["Model after Extract"]);
    });
  });
}
