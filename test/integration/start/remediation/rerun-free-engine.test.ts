// A re-run of the queue's cancelled runs starts only when its node has a free engine (issue 101), on the simulator
// and a stepped clock shared with Steward, twice: a person's re-run over REST, and the [queue] rule's. Node Reload01
// runs two reloads at once (queue timeout 20 minutes). At 01:50 an admin starts two long reloads there (100 and 130
// minutes: both engines busy until 03:30). Extract orders and Load Sales (its chain's next task), due at 02:00, wait in the
// queue and Qlik cancels them at 02:20; Late 1, due at 02:12, keeps the queue backed up until Qlik cancels it at 02:32.
// The queue is then empty but both engines are still busy. Steward starts nothing before 03:30 (the simulator's own
// record of the starts and of its runs), its pending action says what it waits for, no second backlog page is sent,
// and once an engine frees Extract orders starts once and runs, and its chain runs Load Sales after it. Before, the
// re-run started at 02:33 into the full node, waited in Qlik's queue, paged a second backlog and was cancelled again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { after, at, daily, MIN, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, type SiteSteward, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";

const EXTRACT = "f4ee0000-0000-4000-8000-000000000001";
const SALES = "f4ee0000-0000-4000-8000-000000000002";
const ADMIN = ["f4ee0000-0000-4000-8000-0000000000a1", "f4ee0000-0000-4000-8000-0000000000a2"];
const SITE = reloadQueueSiteYaml({
  name: "Busy engines night",
  engines: 2,
  engineTimeout: 20,
  apps: ["Admin long 1", "Admin long 2", "Extract orders", "Load Sales", "Late 1"],
  tasks: [
    reloadTask("Admin long 1", 100, [], `, id: ${ADMIN[0]}`),
    reloadTask("Admin long 2", 130, [], `, id: ${ADMIN[1]}`),
    reloadTask("Extract orders", 5, [daily("02:00")], `, id: ${EXTRACT}`),
    reloadTask("Load Sales", 5, [daily("02:00"), after("Extract orders")], `, id: ${SALES}`),
    reloadTask("Late 1", 5, [daily("02:12")]),
  ],
});
/** When the first of the admin's long reloads ends and an engine frees. */
const FREE_AT = at("03:30");

interface Action {
  id: number;
  taskName: string;
  status: string;
  outcome: string | null;
  qlikAnswer: string | null;
  executionId: string | null;
}

for (const mode of ["person", "rule"] as const) {
  describe(`a re-run waits for a free engine (${mode === "person" ? "a person's re-run" : "the rule's"})`, () => {
    const dir = createTempDir("steward-rerun-engine-");
    let s: SteppedSite | undefined;
    let t: TestApp | undefined;
    let rx: HttpReceiver;
    let events: SiteSteward["events"] = [];
    let causeId = 0;
    let askedStatus = 0;
    let waitingAt0300: Action | undefined;
    let actions: Action[] = [];

    afterAll(async () => {
      await closeAll(t, s?.sim, dir);
      await rx?.stop();
    });

    beforeAll(async () => {
      rx = startHttpReceiver();
      s = await startSteppedSite(dir.path, at("01:30"), SITE);
      const { sim, clock } = s;
      const rule = mode === "rule" ? "remediation:\n  rules:\n    - { name: queue-reruns, errorClasses: [queue] }\n" : "";
      ({ t, events } = await startStewardOnSite(
        s,
        dir.path,
        `${QUIET_LOOKS}channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [scheduler.queue_backlog], to: [hook] }
${rule}`,
        at("01:30"),
      ));
      await clock.runUntil(at("01:50"));
      // The admin's long reloads, started from the QMC: they hold both engines of Reload01 until 03:30.
      for (const id of ADMIN) sim.tasks.start(id, { user: "CORP\\anna" });
      await clock.runUntil(at("02:25"));
      const { causes } = (await (await t.request("/v4/causes")).json()) as { causes: Array<{ id: number; title: string }> };
      causeId = causes.find((c) => c.title === "reload queue backed up on reload01")?.id ?? 0;
      if (mode === "person") askedStatus = (await t.request(`/v4/causes/${causeId}/rerun-cancelled`, { method: "POST" })).status;
      await clock.runUntil(at("03:00"));
      const waiting = ((await (await t.request(`/v4/causes/${causeId}/actions`)).json()) as { actions: Action[] }).actions;
      waitingAt0300 = waiting.find((a) => a.taskName === "Extract orders");
      await clock.runUntil(at("04:05"));
      actions = ((await (await t.request(`/v4/causes/${causeId}/actions`)).json()) as { actions: Action[] }).actions;
    }, 180_000);

    const runs = (name: string) => s!.finished.filter((r) => r.task === name);

    test("the night: the admin's reloads held both engines, and Qlik cancelled the chain's runs in the queue", () => {
      expect(causeId).toBeGreaterThan(0);
      expect(runs("Admin long 1")[0]).toMatchObject({ status: 7, stopMs: FREE_AT });
      expect(runs("Admin long 2")[0]).toMatchObject({ status: 7, stopMs: at("04:00") });
      for (const n of ["Admin long 1", "Admin long 2"]) expect(runs(n)[0]!.startMs).toBeLessThan(at("01:51"));
      for (const n of ["Extract orders", "Load Sales"]) expect(runs(n)[0]).toMatchObject({ status: 8, startMs: -1 });
      expect(runs("Late 1")[0]).toMatchObject({ status: 8, startMs: -1 });
      // The queue was empty from 02:32: the backlog's cause closed while both engines were still busy.
      const onTrack = events.find((x) => x.e.kind === "task.on_track");
      expect(onTrack!.at).toBeLessThan(at("02:40"));
      if (mode === "person") expect(askedStatus).toBe(202);
    });

    test("nothing started while the node had no free engine: Steward's first start came once the admin's reloads ended", () => {
      const starts = s!.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => /\/task\/[^/]+\/start/i.test(r.path));
      expect(starts.length).toBeGreaterThan(0);
      for (const r of starts) expect(Date.parse(r.time)).toBeGreaterThanOrEqual(FREE_AT);
      // Every run of the re-run tasks since the cancellations started at once: none waited in Qlik's queue.
      const again = [...s!.sim.repo.executions.values()].filter((e) => (e.taskId === EXTRACT || e.taskId === SALES) && e.createdMs > at("02:21"));
      expect(again.length).toBeGreaterThan(0);
      for (const e of again) expect(e.startMs! - e.createdMs).toBeLessThan(MIN);
    });

    test("while it waited, the action was pending and said for what", () => {
      expect(waitingAt0300).toMatchObject({ status: "pending", qlikAnswer: "waiting for a free engine on reload01: 2 of 2 busy" });
    });

    test("no second backlog: one scheduler.queue_backlog event and one page, Steward's own run never waited", () => {
      expect(events.filter((x) => x.e.kind === "scheduler.queue_backlog").length).toBe(1);
      const pages = rx.requests.filter((r) => r.body.includes("scheduler.queue_backlog"));
      expect(pages.length).toBe(1);
    });

    test("once an engine freed, Extract orders started once and ran, and its chain ran Load Sales after it", () => {
      const extract = runs("Extract orders").filter((r) => r.stopMs > at("02:21"));
      expect(extract.map((r) => r.status)).toEqual([7]);
      expect(extract[0]!.startMs).toBeGreaterThanOrEqual(FREE_AT);
      expect(extract[0]!.startMs).toBeLessThan(FREE_AT + 2 * MIN);
      const sales = runs("Load Sales").filter((r) => r.stopMs > at("02:21"));
      expect(sales.map((r) => r.status)).toEqual([7]);
      expect(sales[0]!.startMs).toBeGreaterThanOrEqual(extract[0]!.stopMs);
      const a = actions.find((x) => x.taskName === "Extract orders");
      expect(a).toMatchObject({ status: "ended", outcome: "succeeded" });
      expect(a!.qlikAnswer).toContain("once reload01 had a free engine (1 of 2 busy, none waiting)");
    });
  });
}
