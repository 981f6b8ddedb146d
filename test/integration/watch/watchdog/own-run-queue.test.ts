// Steward's own run waiting in a node's queue opens no backlog of its own (issue 101), on the simulator and a stepped
// clock shared with Steward. Node Reload01 runs one reload at a time and never cancels a waiting run. Reload CRM failed
// at 01:00 on a connection error; at 01:50 an admin starts a long reload there (until 03:30). At 02:00 a person presses
// Retry: the retry is asked for a time, so Qlik gets it at once and it waits in the queue behind the admin's reload,
// alone, longer than watchdog.queue.backlogAfter (15 minutes): no scheduler.queue_backlog. At 02:40 the Scheduler's
// Nightly export queues too: with a run of Qlik's own waiting, the backlog is as before, counted from its wait (it
// pages at 02:55) and naming both. Before, the retry alone paged "reload queue backed up" at 02:15.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, type SiteSteward, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";

const CRM = "d6ee0000-0000-4000-8000-000000000001";
const ADMIN = "d6ee0000-0000-4000-8000-0000000000a1";
const SITE = reloadQueueSiteYaml({
  name: "Own run in the queue",
  engines: 1,
  engineTimeout: 0,
  apps: ["Admin long", "Reload CRM", "Nightly export"],
  tasks: [
    reloadTask("Admin long", 100, [], `, id: ${ADMIN}`),
    reloadTask(
      "Reload CRM",
      5,
      [daily("01:00")],
      `, id: ${CRM}, outcome: { failThenSucceed: 1 }, scriptError: "Cannot connect to the data source crm-db.corp.example:1433: connection refused"`,
    ),
    reloadTask("Nightly export", 5, [daily("02:40")]),
  ],
});

const dir = createTempDir("steward-own-run-queue-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let events: SiteSteward["events"] = [];
let retried = 0;

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
});

beforeAll(async () => {
  s = await startSteppedSite(dir.path, at("00:50"), SITE);
  const { sim, clock } = s;
  ({ t, events } = await startStewardOnSite(s, dir.path, QUIET_LOOKS, at("00:50")));
  await clock.runUntil(at("01:50"));
  sim.tasks.start(ADMIN, { user: "CORP\\anna" });
  await clock.runUntil(at("02:00"));
  const failed = events.find((x) => x.e.kind === "task.failed" && "task" in x.e && x.e.task.id.toLowerCase() === CRM);
  const incidentId = (failed?.e as { incident?: { id: number } } | undefined)?.incident?.id ?? 0;
  retried = (await t.request(`/v4/incidents/${incidentId}/retry`, { method: "POST" })).status;
  await clock.runUntil(at("03:50"));
}, 120_000);

const backlogs = () => events.filter((x) => x.e.kind === "scheduler.queue_backlog");

test("the retry waited in Qlik's queue behind the admin's reload, and then ran", () => {
  expect(retried).toBe(202);
  const runs = [...s!.sim.repo.executions.values()].filter((e) => e.taskId === CRM && e.createdMs > at("01:30"));
  expect(runs.length).toBe(1);
  expect(runs[0]!.createdMs).toBeLessThan(at("02:01"));
  expect(runs[0]!.startMs).toBeGreaterThanOrEqual(at("03:30"));
  expect(runs[0]!.status).toBe(7);
});

test("waiting alone, Steward's own run opened no backlog; with Qlik's own run waiting too, one opened as before", () => {
  expect(backlogs().length).toBe(1);
  const [b] = backlogs();
  // Counted from Nightly export's wait (02:40), not from the retry's (02:00).
  expect(b!.at).toBeGreaterThanOrEqual(at("02:55"));
  expect(b!.at).toBeLessThan(at("03:00"));
  const details = (b!.e as { data: Record<string, unknown> }).data;
  expect(details.waitingNow).toBe(2);
  expect(String(details.waitingTasks)).toContain("Reload CRM");
  expect(String(details.waitingTasks)).toContain("Nightly export");
  // The queue drained once both had run: the backlog closed.
  expect(events.filter((x) => x.e.kind === "task.on_track").length).toBe(1);
});
