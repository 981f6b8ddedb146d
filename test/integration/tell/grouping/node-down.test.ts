// The node-down rule, on one Steward with SQLite and on two Stewards sharing PostgreSQL: the Scheduler stopping on a
// node pages once (naming the node); what the node then misses or fails is listed in the parent, not sent; the
// service's return and each missed start back on track update the parent, and only the last is sent. A node that
// is up is not affected.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ParentView } from "../../../../src/tell/grouping";
import { syntheticServiceEvent, syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import type { TestApp } from "../../../helpers/app";
import { type StoreStewards, startStoreStewards } from "../../../helpers/store-stewards";
import { waitFor } from "../../../helpers/wait-for";
import type { HttpReceiver } from "../notify/receivers";

const missed = (i: number, host: string, kind: "task.missed" | "task.on_track" = "task.missed") => {
  const e = syntheticWatchdogEvent(kind, { host, condition: "missed" });
  const key = `missed:task-${i}:trigger-${i}`;
  return {
    ...e,
    id: `watch:${key}:1:${kind === "task.on_track" ? "closed" : "open"}`,
    task: { id: `task-${i}`, name: `Reload ${i}`, tags: [], customProperties: [] },
    condition: { ...e.condition, key },
  };
};

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`node down on ${backend}`, () => {
    let site: StoreStewards | undefined;
    let rx: HttpReceiver;
    let apps: TestApp[] = [];

    beforeAll(async () => {
      site = await startStoreStewards(
        backend,
        "nodedown",
        (url) => `channels:
  hook: { type: webhook, url: "${url}/hook" }
routes:
  - { on: [service.stopped, service.started, task.missed, task.on_track, task.failed, task.recovered], to: [hook] }
`,
      );
      ({ rx, apps } = site);
    });
    afterAll(() => site?.stop());

    const on = (i: number) => apps[i % apps.length]!;
    const emit = async (i: number, e: { kind: string }) => on(i).app.bus.emit(e.kind as never, e as never);
    const kinds = () => rx.requests.map((r) => r.headers.get("x-steward-event"));

    test("one page naming the node; its missed starts and failures listed; only the last recovery sent", async () => {
      await emit(0, syntheticServiceEvent({ state: "stopped", host: "qlik2.corp.example", service: "QlikSenseSchedulerService" }));
      for (let i = 1; i <= 8; i++) await emit(i, missed(i, "qlik2"));
      const failed = syntheticTaskEvent({ outcome: "failed", host: "qlik2.corp.example", taskName: "Reload 9", taskId: "task-9" });
      await emit(9, failed);
      await emit(10, missed(10, "qlik1")); // another node: its own alert
      await waitFor(() => rx.requests.length >= 2, { what: "the node's page and the other node's alert" });
      await Bun.sleep(800);
      expect(kinds()).toEqual(["service.stopped", "task.missed"]);
      const { causes } = (await (await on(1).request("/v4/causes?status=open")).json()) as { causes: ParentView[] };
      expect(causes).toHaveLength(1);
      expect(causes[0]!.title).toBe("Qlik services down on qlik2");
      expect(causes[0]!.affected.tasks).toContain("Reload 9");
      expect(causes[0]!.stillFailing).toBe(10);

      rx.requests.length = 0;
      await emit(0, syntheticServiceEvent({ state: "started", host: "qlik2", service: "QlikSenseSchedulerService" }));
      for (let i = 1; i <= 8; i++) await emit(i, missed(i, "qlik2", "task.on_track"));
      await emit(9, syntheticTaskEvent({ kind: "task.recovered", host: "qlik2", taskName: "Reload 9", taskId: "task-9" }));
      await waitFor(() => rx.requests.length >= 1, { what: "the recovery page" });
      await Bun.sleep(800);
      expect(kinds()).toEqual(["task.recovered"]);
      const closed = (await (await on(0).request("/v4/causes?status=closed")).json()) as { causes: ParentView[] };
      expect(closed.causes[0]).toMatchObject({ title: "Qlik services down on qlik2", status: "closed", stillFailing: 0 });
    });
  });
}
