// Issue 87's first "Done when", on the simulator and a stepped clock shared with Steward, twice: with the action
// confirmed by a person, and with the rule on (remediation.rules: [queue]) and no person at all. Node Reload01 runs two reloads at once (queue timeout 30 minutes). Two 40-minute loads take both engines at
// 02:00; a three-deep chain (Extract orders → Transform orders and Transform stock → Load Sales, Load Finance after
// Transform orders and Load Stock after Transform stock) waits behind them: each of its six tasks has its own 02:00
// schedule besides its chain trigger, as sites give a task that must run even when its upstream did not. Qlik cancels
// the six runs at 02:30; two late loads keep the queue full until 02:40. One POST /v4/causes/{id}/rerun-cancelled at
// 02:32, or with the rule nothing: nothing starts while the queue is backed up; once it drained Steward starts Extract
// orders and its chain runs the rest again in chain order (their actions skipped, not started twice); the promise
// "Sales fresh by 04:00" is met. The rule's night has 0 human actions: no call acts, the audit names only the rule.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { after, at, daily, MIN, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, type SiteSteward, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { startsOf } from "../scheduler/sim-setup";

const SALES_APP = "7c3d0000-0000-4000-8000-0000000000a1";
/** The chain: each task and the one its trigger waits for. */
const CHAIN: Array<[string, string | null]> = [
  ["Extract orders", null],
  ["Transform orders", "Extract orders"],
  ["Transform stock", "Extract orders"],
  ["Load Sales", "Transform orders"],
  ["Load Finance", "Transform orders"],
  ["Load Stock", "Transform stock"],
];
const NAMES = CHAIN.map(([n]) => n);
const FILLERS: Array<[string, number, string]> = [
  ["Long A", 40, "02:00"],
  ["Long B", 40, "02:00"],
  ["Late 1", 5, "02:15"],
  ["Late 2", 5, "02:15"],
];
const SITE = reloadQueueSiteYaml({
  name: "Queue chain night",
  engines: 2,
  engineTimeout: 30,
  apps: [...FILLERS.map(([n]) => n), ...NAMES].map((n) => (n === "Load Sales" ? { name: n, id: SALES_APP } : n)),
  tasks: [
    ...FILLERS.map(([n, m, hhmm]) => reloadTask(n, m, [daily(hhmm)])),
    ...CHAIN.map(([n, up]) => reloadTask(n, 5, up ? [daily("02:00"), after(up)] : [daily("02:00")])),
  ],
});

interface Action {
  id: number;
  incidentId: number;
  taskName: string;
  status: string;
  outcome: string | null;
  requestedBy: string;
  requestedFrom: string;
}

for (const mode of ["person", "rule"] as const) {
  describe(`the queue's cancelled chain re-run (${mode === "person" ? "one confirmation" : "the rule on, no person"})`, () => {
    const dir = createTempDir("steward-queue-chain-");
    let s: SteppedSite | undefined;
    let t: TestApp | undefined;
    let rx: HttpReceiver;
    let events: SiteSteward["events"] = [];
    let asked: Action[] = [];
    let askedStatus = 0;
    let stewardStartsBeforeDrain = -1;
    let causesPage = "";
    let causeId = 0;
    let drainedAt = 0;
    /** Calls made to act (POST), by the test standing in for a person. */
    let humanActions = 0;

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
        `${QUIET_LOOKS}freshness:
  interval: 1m
  promises:
    sales-night:
      appIds: [${SALES_APP}]
      freshBy: "04:00"
      timeZone: UTC
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [scheduler.queue_backlog, task.on_track, task.failed, task.recovered, app.freshness_warning, app.freshness_breached], to: [hook] }
${rule}`,
        at("01:30"),
      ));
      await clock.runUntil(at("02:32"));
      const { causes } = (await (await t.request("/v4/causes")).json()) as { causes: Array<{ id: number; title: string }> };
      const cause = causes.find((c) => c.title === "reload queue backed up on reload01");
      // The dashboard's Causes page offers it beside the queue's cause (its button makes this same call).
      causesPage = await (await t.request("/ui/causes", { headers: { accept: "text/html" } })).text();
      causeId = cause?.id ?? 0;
      if (mode === "person") {
        // The person's one confirmation: the re-run of the queue's cause, over REST (the link's confirmation calls the same).
        const res = await t.request(`/v4/causes/${cause?.id}/rerun-cancelled`, { method: "POST" });
        humanActions++;
        askedStatus = res.status;
        asked = ((await res.json()) as { actions: Action[] }).actions;
      }
      // Step on until the queue's cause closed (the watchdog saw the queue empty), then to the morning.
      while (clock.now() < at("03:00") && !events.some((x) => x.e.kind === "task.on_track")) {
        stewardStartsBeforeDrain = NAMES.reduce((n, name) => n + startsOf(sim, [...sim.repo.tasks.values()].find((x) => x.model.name === name)!.model.id), 0);
        await clock.runUntil(clock.now() + MIN);
      }
      drainedAt = clock.now();
      await clock.runUntil(at("04:05"));
      // With the rule, the actions are the ones it asked for once the queue drained, in the order they ran.
      if (mode === "rule") asked = ((await (await t.request(`/v4/causes/${causeId}/actions`)).json()) as { actions: Action[] }).actions;
    }, 180_000);

    const runs = (name: string) => s!.finished.filter((r) => r.task === name);

    test("the night: the six runs of the chain waited in the queue and Qlik cancelled them at 02:30", () => {
      for (const n of NAMES) expect(runs(n)[0]).toMatchObject({ status: 8, startMs: -1 });
      expect(events.filter((x) => x.e.kind === "task.failed").length).toBe(6);
    });

    test("six actions in chain order, nothing started while the queue was backed up", () => {
      if (mode === "person") expect(askedStatus).toBe(202);
      const names = asked.map((a) => a.taskName);
      expect(new Set(names)).toEqual(new Set(NAMES));
      expect(names.length).toBe(6);
      for (const [n, up] of CHAIN) if (up) expect(names.indexOf(n)).toBeGreaterThan(names.indexOf(up));
      expect(stewardStartsBeforeDrain).toBe(0);
      const row = causesPage.slice(causesPage.indexOf('data-cause="'));
      expect(row.slice(0, row.indexOf("</tr>"))).toContain('data-action="rerun-cause"');
      expect(drainedAt).toBeGreaterThanOrEqual(at("02:40"));
      expect(drainedAt).toBeLessThan(at("03:00"));
    });

    test("after the queue drained they ran again once each, in chain order, each action ended or skipped", async () => {
      for (const [n, up] of CHAIN) {
        const again = runs(n).filter((r) => r.stopMs > at("02:31"));
        expect(again.map((r) => r.status)).toEqual([7]);
        expect(again[0]!.startMs).toBeGreaterThanOrEqual(at("02:40"));
        if (up) expect(again[0]!.startMs).toBeGreaterThanOrEqual(runs(up).at(-1)!.stopMs);
      }
      const byName = new Map<string, Action>();
      for (const a of asked) {
        const list = (await (await t!.request(`/v4/incidents/${a.incidentId}/actions`)).json()) as { actions: Action[] };
        byName.set(a.taskName, list.actions.find((x) => x.id === a.id)!);
      }
      // Steward starts the head; a task the chain has already run is skipped, one the chain had only queued (a run not yet
      // begun) Steward may start, which Qlik joins to that run: either way each ran once more, above.
      expect(byName.get("Extract orders")).toMatchObject({ status: "ended", outcome: "succeeded" });
      for (const n of NAMES.slice(1))
        expect([byName.get(n)!.status, byName.get(n)!.outcome]).toEqual(
          expect.arrayContaining([expect.stringMatching(/^(ended|skipped)$/), expect.stringMatching(/^(succeeded|not needed)$/)]),
        );
    });

    test("the chain's freshness promise is met: Sales fresh by 04:00, no breach", async () => {
      expect(events.filter((x) => x.e.kind === "app.freshness_breached")).toEqual([]);
      const { rows } = (await (await t!.request("/v4/freshness")).json()) as { rows: Array<{ app: { id: string }; state: string; dataAsOf: string }> };
      const sales = rows.find((r) => r.app.id === SALES_APP);
      expect(sales?.state).toBe("fresh");
      expect(Date.parse(sales!.dataAsOf)).toBeLessThan(at("04:00"));
    });

    test("the cause's view lists what was done: the re-run's six actions, how each ended", async () => {
      const { actions } = (await (await t!.request(`/v4/causes/${causeId}/actions`)).json()) as { actions: Action[] };
      expect(actions.map((a) => a.taskName)).toEqual(asked.map((a) => a.taskName));
      expect(actions.every((a) => a.status === "ended" || a.status === "skipped")).toBe(true);
      const page = await (await t!.request("/ui/causes", { headers: { accept: "text/html" } })).text();
      const row = page.slice(page.indexOf(`data-role="cause-actions" data-cause="${causeId}"`));
      const rows = row.slice(0, row.indexOf("</table>")).split("data-action-id=").slice(1);
      expect(rows.length).toBe(6);
      expect(rows[0]).toContain("Re-run");
      expect(rows[0]).toContain("ended: succeeded");
      // Everything re-ran: no Re-run button any more.
      expect(page).not.toContain('data-action="rerun-cause"');
    });

    test(mode === "person" ? "one human action: the confirmation" : "0 human actions: the rule asked, recorded as the rule", async () => {
      expect(humanActions).toBe(mode === "person" ? 1 : 0);
      if (mode === "person") return;
      expect(asked.every((a) => a.requestedFrom === "rule" && a.requestedBy === "rule:queue-reruns")).toBe(true);
      const { entries } = (await (await t!.request("/v4/audit?action=remediation.request")).json()) as {
        entries: Array<{ actor: { kind: string; name: string }; target: string; details?: { from?: string } }>;
      };
      expect(entries.map((x) => [x.actor.name, x.target, x.details?.from])).toEqual([["rule:queue-reruns", `cause:${causeId}`, "rule"]]);
    });
  });
}
