// Incidents per cause, on one Steward with SQLite and on two Stewards sharing PostgreSQL: 25 reload tasks failing
// with connection errors from the same source give one page when the cause opens and one when the last recovers
// (whichever Steward handles which run); the parent lists every task, app and stream; a failure for another
// reason is its own alert.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { ParentView } from "../../../../src/tell/grouping";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { TestApp } from "../../../helpers/app";
import { type StoreStewards, startStoreStewards } from "../../../helpers/store-stewards";
import { waitFor } from "../../../helpers/wait-for";
import type { HttpReceiver } from "../notify/receivers";
import { withSourceFailure } from "../../../helpers/failed-runs";

function failure(i: number, source = "DWH"): TaskEvent {
  const e = syntheticTaskEvent({ outcome: "failed", taskName: `Load ${i}`, taskId: `task-${i}`, appName: `App ${i % 12}`, appId: `app-${i % 12}` });
  e.app = { ...e.app!, stream: `Stream ${i % 3}` };
  return withSourceFailure(e, source);
}

const recovery = (i: number) => syntheticTaskEvent({ kind: "task.recovered", taskName: `Load ${i}`, taskId: `task-${i}` });

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`incidents per cause on ${backend}`, () => {
    let site: StoreStewards | undefined;
    let rx: HttpReceiver;
    let apps: TestApp[] = [];

    beforeAll(async () => {
      site = await startStoreStewards(
        backend,
        "grouping",
        (url) => `channels:
  hook: { type: webhook, url: "${url}/hook" }
routes:
  - { on: [task.failed, task.recovered], to: [hook] }
`,
      );
      ({ rx, apps } = site);
    }, 120_000);
    afterAll(() => site?.stop());

    const on = (i: number) => apps[i % apps.length]!;
    const sent = () => rx.requests.map((r) => JSON.parse(r.body) as { kind: string; taskName: string });

    test("25 failures from one source page once; the parent lists every task, app and stream; another cause pages on its own", async () => {
      for (let i = 1; i <= 25; i++) {
        const e = failure(i);
        await on(i).app.bus.emit(e.kind, e);
      }
      const other = failure(99, "CRM");
      await on(0).app.bus.emit(other.kind, other);
      await waitFor(() => rx.requests.length >= 2, { what: "the two pages" });
      await Bun.sleep(1_000);
      expect(sent().map((s) => `${s.kind} ${s.taskName}`)).toEqual(["task.failed Load 1", "task.failed Load 99"]);

      const { causes } = (await (await on(1).request("/v4/causes?status=open")).json()) as { causes: ParentView[] };
      const dwh = causes.find((c) => c.title === "connection errors from DWH")!;
      expect(dwh.affected.text).toBe("25 tasks, 12 apps, 3 streams affected");
      expect(dwh.affected.tasks).toHaveLength(25);
      expect(dwh.stillFailing).toBe(25);
      const suppressed = (await (await on(1).request("/v4/deliveries?status=suppressed&limit=100")).json()) as { deliveries: Array<{ reason: string }> };
      expect(suppressed.deliveries).toHaveLength(24);
      expect(suppressed.deliveries[0]!.reason).toContain(`a symptom of cause #${dwh.id} (connection errors from DWH)`);
      const page = await (await on(1).request("/ui/causes")).text();
      expect(page).toContain("connection errors from DWH");
      expect(page).toContain("25 tasks, 12 apps, 3 streams affected");
      expect(page).toContain("25 still failing");
    });

    test("each recovery updates the parent; only the last is sent", async () => {
      rx.requests.length = 0;
      for (let i = 1; i <= 25; i++) {
        const e = recovery(i);
        await on(i + 1).app.bus.emit(e.kind, e);
      }
      await waitFor(() => rx.requests.length >= 1, { what: "the recovery page" });
      await Bun.sleep(1_000);
      expect(sent().map((s) => `${s.kind} ${s.taskName}`)).toEqual(["task.recovered Load 25"]);
      const { causes } = (await (await on(0).request("/v4/causes?status=closed")).json()) as { causes: ParentView[] };
      expect(causes).toHaveLength(1);
      expect(causes[0]).toMatchObject({ status: "closed", stillFailing: 0 });
      const one = (await (await on(0).request(`/v4/causes/${causes[0]!.id}`)).json()) as { symptoms: Array<{ state: string }> };
      expect(one.symptoms.every((s) => s.state === "recovered")).toBe(true);
    });
  });
}
