// A failure Steward hears of only after its task ran again successfully (issue 84, point 1): the simulator's
// Scheduler loses the failed run's datagram, the next run succeeds and is heard, and reconciliation finds the failure
// later. Nothing will ever end an alert for it, so PagerDuty, Opsgenie, Alertmanager and SIGNL4 (local receivers that
// check the vendors' request formats) get nothing, and neither does a route that did not ask; a route with
// `lateFailures: true` gets it as a notice. The failure is in the task's history (GET /v4/runs) and the report as what
// it was, and no incident is open.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type OpsgenieRequest, startOpsgenieReceiver } from "../../../helpers/opsgenie-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { type HttpReceiver, startHttpReceiver } from "./receivers";
import { startPostgres, type PostgresService } from "../../../helpers/services";

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";

for (const backend of ["sqlite", "postgres"] as const)
  describe(`a failure heard after the task's next success (${backend})`, () => {
    let pg: PostgresService | undefined;
    let tmp: TempDir;
    let h: Harness;
    let pd: OnCallReceiver<PagerDutyEvent>;
    let og: OnCallReceiver<OpsgenieRequest>;
    let rx: HttpReceiver;

    beforeAll(async () => {
      pd = startPagerDutyReceiver();
      og = startOpsgenieReceiver("og-api-key");
      rx = startHttpReceiver();
      tmp = createTempDir();
      let store = "";
      if (backend === "postgres") {
        pg = await startPostgres();
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("late")}\n`;
      }
      h = await startHarness({
        dir: tmp.path,
        extraYaml: `${store}
channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue" }
  og: { type: opsgenie, apiKey: og-api-key, url: "${og.url}" }
  am: { type: alertmanager, urls: ["${rx.url}/am"], resendEvery: 1s }
  s4: { type: signl4, url: "${rx.url}/signl4/team-secret" }
  pages: { type: webhook, url: "${rx.url}/pages" }
  notices: { type: webhook, url: "${rx.url}/notices" }
routes:
  - { name: on-call, on: [task.failed, task.succeeded, task.recovered], to: [pd, og, am, s4, pages] }
  - { name: late-notices, on: [task.failed], to: [notices], lateFailures: true }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`,
      });
      await h.startPassEnded();
    }, 60_000);
    afterAll(async () => {
      await h?.close();
      tmp?.remove();
      await pd?.stop();
      await og?.stop();
      await rx?.stop();
      await pg?.stop();
    });

    const to = (path: string) => rx.requests.filter((r) => r.path.startsWith(path));

    test("pages nobody, is a notice where asked, and is shown as what it was", async () => {
      // The task has a history already (its first run seeds it from QRS, which would record the lost failure too).
      await h.eventFor(h.run(IDS.reload, "succeed"));
      await waitFor(() => to("/pages").length === 1 || undefined, { what: "the first success on the pages route" });
      h.sim.settings.udp.dropNext = 1;
      const failedExec = h.run(IDS.reload, "fail");
      await waitFor(() => !h.sim.tasks.isRunning(IDS.reload), { what: "the failed run to end" });
      const okExec = await h.runWhenIdle(IDS.reload, "succeed");
      const ok = await h.eventFor(okExec);
      expect(ok.kind).toBe("task.succeeded");
      // The success's own deliveries are out (the alert channels are told nothing is open; webhook gets the success).
      await waitFor(() => to("/pages").length === 2 || undefined, { what: "the success on the pages route" });

      const pass = await h.t.app.intake.reconciler!.runOnce();
      expect(pass?.emitted).toBe(1);
      const failed = (await h.eventFor(failedExec)) as TaskEvent;
      expect(failed).toMatchObject({ kind: "task.failed", source: "reconcile" });
      expect(failed.incident).toBeUndefined();
      expect(failed.heardAfterSuccess?.succeededAt).toBe(ok.execution?.stopTime ? new Date(Date.parse(ok.execution.stopTime)).toISOString() : "");

      // The notice goes on the route that asked for it, saying when the task ran again.
      const notice = await waitFor(() => to("/notices")[0], { what: "the notice" });
      expect(JSON.parse(notice.body)).toMatchObject({ kind: "task.failed", executionId: failedExec });
      expect(notice.body).toContain("heardAfterSuccess");
      // Every delivery of the failure is settled: the rest suppressed, with the reason.
      const deliveries = await waitFor(
        async () => {
          const d = (await (await h.t.request("/v4/deliveries?limit=50")).json()) as {
            deliveries: Array<{ eventId: string; channel: string; status: string; reason: string | null }>;
          };
          const mine = d.deliveries.filter((x) => x.eventId === failed.id);
          return mine.length === 6 && mine.every((x) => x.status === "delivered" || x.status === "suppressed") ? mine : undefined;
        },
        { what: "the failure's deliveries settled" },
      );
      const byChannel = Object.fromEntries(deliveries.map((d) => [d.channel, d]));
      expect(byChannel.notices?.status).toBe("delivered");
      for (const ch of ["pd", "og", "am", "s4"]) {
        expect(byChannel[ch]?.status).toBe("suppressed");
        expect(byChannel[ch]?.reason).toContain("an on-call product is sent no alert that nothing would end");
      }
      expect(byChannel.pages?.status).toBe("suppressed");
      expect(byChannel.pages?.reason).toContain("lateFailures: true");

      // Nothing reached the products, now or at the Alertmanager channel's next re-send.
      await Bun.sleep(1_500);
      expect(pd.accepted.filter((r) => r.body.event_action === "trigger")).toEqual([]);
      expect(og.accepted.filter((r) => r.body.op === "create")).toEqual([]);
      expect(
        to("/am")
          .flatMap((r) => JSON.parse(r.body) as Array<{ endsAt?: string }>)
          .filter((a) => !a.endsAt),
      ).toEqual([]);
      expect(to("/signl4").filter((r) => (JSON.parse(r.body) as Record<string, unknown>)["X-S4-Status"] !== "resolved")).toEqual([]);
      expect(to("/pages")).toHaveLength(2);
      expect(pd.rejected).toEqual([]);
      expect(og.rejected).toEqual([]);

      // No incident; the run's history and the report say what happened.
      const incidents = (await (await h.t.request("/v4/incidents?status=open")).json()) as { incidents: unknown[] };
      expect(incidents.incidents).toEqual([]);
      const runs = (await (await h.t.request(`/v4/runs?taskId=${IDS.reload}`)).json()) as {
        runs: Array<{ executionId: string; outcome: string; incidentId: number | null; heardAfterSuccess?: { succeededAt: string } }>;
      };
      const run = runs.runs.find((r) => r.executionId === failedExec);
      expect(run).toMatchObject({ outcome: "failed", incidentId: null, heardAfterSuccess: { succeededAt: failed.heardAfterSuccess!.succeededAt } });
      expect(runs.runs.find((r) => r.executionId === okExec)?.heardAfterSuccess).toBeUndefined();
      // The task's page on the dashboard says it too.
      const page = await (await h.t.request(`/ui/tasks/${IDS.reload}`)).text();
      expect(page).toContain("before Steward heard of the failure: not paged");
      const report = (await (await h.t.request("/v4/report")).json()) as { sections: Array<{ title: string; lines: Array<{ text: string }> }> };
      const lines = report.sections.flatMap((s) => s.lines.map((l) => l.text));
      expect(lines.some((l) => /Reload Sales dashboard failed at .+, ran again successfully at .+ before Steward heard of the failure/.test(l))).toBe(true);
    }, 40_000);
  });
