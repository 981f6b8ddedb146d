// The QRS plan's chains kept in the store (issue 76/77): the watchdog's Steward writes a plan only when it changed (the
// same plan in another order is the same), its own graph follows at once; another Steward sharing the store builds
// the graph from the stored plan and sees a newer one within ten seconds of its clock. On both back ends.
import { afterAll, describe, expect, test } from "bun:test";
import { groupingMigrations } from "../../../../src/tell/grouping";
import type { PlannedChains } from "../../../../src/tell/grouping/chain-graph";
import { createStoredChains } from "../../../../src/tell/grouping/stored-chains";
import { bothBackends } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-26T04:00:00Z");
type Task = { id: string; name: string; enabled: boolean; appId?: string; chains: Array<{ upstreamIds: string[]; ruleStates: number[] }> };
const task = (id: string, name: string, after?: string): Task => ({
  id,
  name,
  enabled: true,
  appId: `A-${id}`,
  chains: after ? [{ upstreamIds: [after], ruleStates: [1] }] : [],
});
const plan = (tasks: Task[]): PlannedChains => ({
  tasks: new Map(tasks.map((t) => [t.id, t])),
  apps: new Map(tasks.map((t) => [t.appId!, { id: t.appId!, name: `${t.name} app`, stream: "Sales" }])),
});
const EXTRACT = task("t-extract", "Extract orders");
const TRANSFORM = task("t-transform", "Transform orders", "t-extract");
const SALES = task("t-sales", "Reload Sales dashboard", "t-transform");
const after = (g: ReturnType<ReturnType<typeof createStoredChains>["graph"]>, id: string) => g?.downstreamOf(id).map((t) => t.name);

for (const backend of bothBackends()) {
  describe(backend.name, () => {
    afterAll(() => backend.shutdown());

    test("the watchdog's Steward writes a changed plan once; another Steward reads it, and a newer one ten seconds on", async () => {
      const db = await backend.open([groupingMigrations]);
      const watchdogs = createStoredChains(db);
      const hearer = createStoredChains(db);
      const readAt = async () => Number((await db.get<{ read_at: number }>("SELECT read_at FROM cause_chain_plan"))?.read_at);

      await hearer.refresh(T0);
      expect(hearer.graph()).toBeUndefined();
      await watchdogs.note(plan([EXTRACT, TRANSFORM, SALES]), T0);
      expect(after(watchdogs.graph(), "t-extract")).toEqual(["Transform orders", "Reload Sales dashboard"]);
      // Read again in another order: the same plan, not written again.
      await watchdogs.note(plan([SALES, TRANSFORM, EXTRACT]), T0 + 60_000);
      expect(await readAt()).toBe(T0);

      // The other Steward asked at T0, before the plan was there: it asks again ten seconds later, not before.
      await hearer.refresh(T0 + 9_000);
      expect(hearer.graph()).toBeUndefined();
      await hearer.refresh(T0 + 10_000);
      expect(after(hearer.graph(), "t-extract")).toEqual(["Transform orders", "Reload Sales dashboard"]);
      expect(hearer.graph()!.task("T-SALES")).toEqual({
        id: "t-sales",
        name: "Reload Sales dashboard",
        appId: "a-t-sales",
        appName: "Reload Sales dashboard app",
        stream: "Sales",
      });

      // Sales no longer waits for Transform: written, and seen by the other Steward at its next check.
      await watchdogs.note(plan([EXTRACT, TRANSFORM, { ...SALES, chains: [] }]), T0 + 120_000);
      expect(await readAt()).toBe(T0 + 120_000);
      expect(after(watchdogs.graph(), "t-extract")).toEqual(["Transform orders"]);
      await hearer.refresh(T0 + 125_000);
      expect(after(hearer.graph(), "t-extract")).toEqual(["Transform orders"]);
    }, 60_000); // a hang guard: PostgreSQL's start on a loaded machine takes a while
  });
}
