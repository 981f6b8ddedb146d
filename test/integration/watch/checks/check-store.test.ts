// The data checks' store on both back ends (SQLite file, PostgreSQL): a reload's run is claimed once, an
// unfinished run of a Steward that is gone is taken over once, previous and last values skip the run itself
// and values of another expression, latest and history read right, old rows go.
import { afterAll, describe, expect, test } from "bun:test";
import { checksMigrations, createCheckStore, type StoredValue } from "../../../../src/watch/checks/check-store";
import type { RunContext } from "../../../../src/watch/checks/check-store";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

const APP = "c4000000-0000-4000-8000-0000000000AA";
const ctx = (runId: string): RunContext => ({
  runId,
  reload: { kind: "task", id: runId.slice(5) },
  app: { id: APP, name: "Orders", tags: [], customProperties: [] },
  checks: ["rows"],
});
const value = (runId: string, at: number, n: number | null, status: StoredValue["status"] = "passed", expression = "NoOfRows('Orders')"): StoredValue => ({
  runId,
  appId: APP,
  check: "rows",
  expression,
  at,
  status,
  value: n === null ? null : { text: String(n), number: n },
  previous: null,
  expect: "> 0",
  resolved: "> 0",
  message: null,
});

for (const backend of backends) {
  describe(`check store on ${backend.name}`, () => {
    test("a reload's run is claimed once, whoever asks; its states go queued → evaluated → done", async () => {
      const store = createCheckStore(await backend.open([checksMigrations]));
      const both = await Promise.all([store.insertRun(ctx("task:r1"), "node-a", 1000), store.insertRun(ctx("task:r1"), "node-b", 1001)]);
      expect(both.filter(Boolean)).toHaveLength(1);
      const run = (await store.getRun("task:r1"))!;
      expect(run).toMatchObject({ appId: APP.toLowerCase(), status: "queued", verdict: null, doc: { app: { name: "Orders" }, checks: ["rows"] } });
      await store.setRunning("task:r1");
      await store.finish("task:r1", [value("task:r1", 2000, 5)], "passed", { ...run.doc, host: "sense1" }, 2000);
      expect(await store.getRun("task:r1")).toMatchObject({ status: "evaluated", verdict: "passed", finishedAt: 2000, doc: { host: "sense1" } });
      expect((await store.unfinished(run.owner!)).map((r) => r.runId)).toEqual(["task:r1"]);
      await store.markDone("task:r1");
      expect(await store.unfinished(run.owner!)).toEqual([]);
      expect(await store.unexported(10)).toEqual(["task:r1"]);
      await store.markExported("task:r1");
      expect(await store.unexported(10)).toEqual([]);
    });

    test("the unfinished runs of a Steward that is gone are taken over once by two Stewards at the same time", async () => {
      const store = createCheckStore(await backend.open([checksMigrations]));
      for (const id of ["task:d1", "task:d2", "task:d3"]) await store.insertRun(ctx(id), "dead-node", 1000);
      await store.insertRun(ctx("task:alive"), "node-b", 1000);
      const [a, b] = await Promise.all([store.adopt("node-a", ["node-b"]), store.adopt("node-b", ["node-a"])]);
      expect([...a, ...b].map((r) => r.runId).sort()).toEqual(["task:d1", "task:d2", "task:d3"]);
      expect((await store.getRun("task:alive"))!.owner).toBe("node-b");
      for (const r of a) expect((await store.getRun(r.runId))!.owner).toBe("node-a");
      for (const r of b) expect((await store.getRun(r.runId))!.owner).toBe("node-b");
    });

    test("previous and last skip the run itself, errors (for previous) and values of another expression", async () => {
      const store = createCheckStore(await backend.open([checksMigrations]));
      for (const [id, at] of [
        ["task:p1", 1000],
        ["task:p2", 2000],
        ["task:p3", 3000],
        ["task:p4", 4000],
      ] as const)
        await store.insertRun(ctx(id), "n", at);
      await store.finish("task:p1", [value("task:p1", 1000, 100)], "passed", ctx("task:p1"), 1000);
      await store.finish("task:p2", [value("task:p2", 2000, null, "error")], "error", ctx("task:p2"), 2000);
      await store.finish("task:p3", [value("task:p3", 3000, 7, "passed", "Count(X)")], "passed", ctx("task:p3"), 3000);
      await store.finish("task:p4", [value("task:p4", 4000, 50, "failed")], "failed", ctx("task:p4"), 4000);
      expect(await store.previousNumber(APP, "rows", "NoOfRows('Orders')", "task:p4")).toBe(100);
      expect(await store.previousNumber(APP, "rows", "NoOfRows('Orders')", "task:none")).toBe(50);
      expect((await store.last(APP, "rows", "NoOfRows('Orders')", "task:p4"))?.status).toBe("error");
      expect(await store.previousNumber(APP, "rows", "Count(X)", "task:none")).toBe(7);
      const latest = await store.latest();
      expect(latest.map((v) => [v.check, v.value?.number, v.status])).toEqual([["rows", 50, "failed"]]);
      expect((await store.history(APP.toUpperCase(), "rows", 10)).map((v) => v.runId)).toEqual(["task:p4", "task:p3", "task:p2", "task:p1"]);
      expect((await store.runs({ appId: APP, limit: 2 })).map((r) => r.runId)).toEqual(["task:p4", "task:p3"]);
      for (const id of ["task:p1", "task:p2", "task:p3", "task:p4"]) await store.markDone(id);
      expect(await store.purge(1500, 4000)).toBe(4); // the values at 1000 and 2000 and their finished runs
      expect((await store.history(APP, undefined, 10)).map((v) => v.runId)).toEqual(["task:p4", "task:p3"]);
    });
  });
}
