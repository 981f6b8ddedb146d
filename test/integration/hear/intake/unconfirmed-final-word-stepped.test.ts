// Issue 103 on a stepped clock: QRS writes the run's final state ten minutes after the Scheduler's datagram (the
// simulator holds its execution results back), longer than any final-status read waits. The failure is paged at
// once as an alert of its own run; nothing ends it while QRS shows the run going; once QRS has its final word the page
// is handed over to its task's alert, and only the task's own recovery, later, ends that. Simulated minutes pass in
// moments: no wall-clock wait stands for QRS's lag.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { wallLimit } from "../../../helpers/time-limit";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, intakeYaml, SITE_YAML } from "./harness";

const START = Date.parse("2026-11-28T01:00:00Z");
const MIN = 60_000;
const ROUTING_KEY = "R0123456789abcdef0123456789abcde";
const dir = createTempDir("final-word-stepped-");
let site: SteppedSite | undefined;
let t: TestApp | undefined;
let pd: OnCallReceiver<PagerDutyEvent> | undefined;
afterAll(async () => {
  if (t && site) await closeAll(t, site.sim, { path: "", remove: () => {} });
  await pd?.stop();
  dir.remove();
});

test(
  "QRS ten minutes behind its datagrams: paged at once, handed over on QRS's final word, ended only by the task's recovery",
  async () => {
    site = await startSteppedSite(join(dir.path, "site"), START, SITE_YAML);
    const { sim, clock } = site;
    pd = startPagerDutyReceiver();
    t = createTestApp(
      intakeYaml(
        sim,
        { enrichment: { finalStatusAttempts: 2, finalStatusDelayMs: 50 }, reconcile: { enabled: false }, confirm: { finalWordWithinMinutes: 30 } },
        `
channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue" }
routes:
  - { name: runs, on: [task.failed, task.succeeded, task.recovered], to: [pd] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
      ),
      { clock, dir: join(dir.path, "steward") },
    );
    const starting = t.app.start();
    await clock.runUntil(START);
    await starting;
    sendDatagramsTo(site, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t!.app.intake.counters.received.get());
    Object.assign(sim.settings.timing, { qrsLagMs: 10 * MIN });

    const of = (action: string, key: string) => pd!.accepted.filter((r) => r.body.event_action === action && r.body.dedup_key === key);
    const failed = sim.tasks.start(IDS.reload, { outcome: "fail", durationMs: MIN });
    if (!failed.started) throw new Error(failed.reason);
    const ownKey = `steward-unconfirmed-${failed.executionId}`;
    const taskKey = `steward-task-${IDS.reload}`;
    // 01:05: the datagram came at 01:01, QRS still shows the run going (until 01:11).
    await clock.runUntil(START + 5 * MIN);
    await waitFor(() => of("trigger", ownKey).length >= 1 || undefined, { what: "the run's own page" });
    expect(of("resolve", ownKey)).toEqual([]);
    expect(of("trigger", taskKey)).toEqual([]);

    // 01:15: QRS has had the run's end since 01:11 (failed, as its datagram said): handed over to the task's alert.
    await clock.runUntil(START + 15 * MIN);
    await waitFor(() => (of("trigger", taskKey).length >= 1 && of("resolve", ownKey).length >= 1) || undefined, {
      what: "the page handed over to the task's alert",
    });
    await clock.runUntil(START + 40 * MIN);
    expect(of("resolve", taskKey)).toEqual([]);
    expect(pd.alerts.find((a) => a.key === taskKey)?.status).toBe("triggered");

    // The task's own recovery ends it (QRS in step again).
    Object.assign(sim.settings.timing, { qrsLagMs: 0 });
    const ok = sim.tasks.start(IDS.reload, { outcome: "succeed", durationMs: MIN });
    if (!ok.started) throw new Error(ok.reason);
    await clock.runUntil(START + 45 * MIN);
    await waitFor(() => of("resolve", taskKey).length >= 1 || undefined, { what: "the task's recovery resolving its alert" });
    expect(pd.alerts.filter((a) => a.status !== "resolved")).toEqual([]);
    expect(pd.accepted.filter((r) => JSON.stringify(r.body).includes("did not happen"))).toEqual([]);
    expect(pd.rejected).toEqual([]);
  },
  wallLimit(180_000),
);
