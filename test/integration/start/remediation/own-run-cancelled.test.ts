// A run Steward itself started that the queue cancels, with no backlog cause open, opens no queue cause (issue 101),
// on the simulator and a stepped clock shared with Steward. Node Reload01 runs one reload at a time (queue timeout 20
// minutes). Load CRM fails at 01:45 on a connection error; at 01:50 an admin starts a long reload there (busy until
// 03:50). At 02:00 a person retries Load CRM over REST: Steward starts it into the full node, where it waits in Qlik's
// queue alone (the watchdog's queue look leaves Steward's own waiting runs out: no backlog), and Qlik cancels it at
// 02:20. Its cancellation is the retry's outcome, paged as the task's own failure saying the retry failed; no
// "reload queue backed up" cause opens. Before, it opened one that nothing closed (no backlog ever ended): still open
// at 03:30, its page sent, holding the task's later failures as its symptoms.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { closeAll, type TestApp } from "../../../helpers/app";
import { at, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, type SiteSteward, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";

const CRM = "f5ee0000-0000-4000-8000-000000000001";
const ADMIN = "f5ee0000-0000-4000-8000-0000000000a1";
const CONNECTION = "Cannot connect to the data source crm-db.corp.example:1433: connection refused";
const SITE = reloadQueueSiteYaml({
  name: "Own run cancelled night",
  engines: 1,
  engineTimeout: 20,
  apps: ["Admin long", "Load CRM"],
  tasks: [
    reloadTask("Admin long", 120, [], `, id: ${ADMIN}`),
    reloadTask("Load CRM", 5, [], `, id: ${CRM}, maxRetries: 0, outcome: fail, scriptError: "${CONNECTION}"`),
  ],
});

const dir = createTempDir("steward-own-run-cancelled-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let rx: HttpReceiver;
let events: SiteSteward["events"] = [];
let retryStatus = 0;
let causesAt0330: Array<{ id: number; title: string; status: string }> = [];

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await rx?.stop();
});

beforeAll(async () => {
  rx = startHttpReceiver();
  s = await startSteppedSite(dir.path, at("01:30"), SITE);
  const { sim, clock } = s;
  ({ t, events } = await startStewardOnSite(
    s,
    dir.path,
    `${QUIET_LOOKS}channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [scheduler.queue_backlog, task.failed, task.recovered], to: [hook], renotify: every }
`,
    at("01:30"),
  ));
  await clock.runUntil(at("01:40"));
  sim.tasks.start(CRM, { user: "CORP\\anna" });
  await clock.runUntil(at("01:50"));
  // The admin's long reload, started from the QMC: it holds Reload01's one engine until 03:50.
  sim.tasks.start(ADMIN, { user: "CORP\\anna" });
  await clock.runUntil(at("02:00"));
  const failed = events.find((x) => x.e.kind === "task.failed" && (x.e as TaskEvent).task.id === CRM)?.e as TaskEvent | undefined;
  // The source is back; the person retries the load while the node is full.
  await simControl(sim, "PATCH", `/tasks/${CRM}`, { outcome: "succeed" });
  retryStatus = (await t.request(`/v4/incidents/${failed?.incident?.id ?? 0}/retry`, { method: "POST" })).status;
  await clock.runUntil(at("03:30"));
  causesAt0330 = ((await (await t.request("/v4/causes")).json()) as { causes: typeof causesAt0330 }).causes;
}, 180_000);

const runs = (name: string) => s!.finished.filter((r) => r.task === name);

test("the night: Load CRM failed on its source, and its retry, started into the full node, was cancelled in Qlik's queue", () => {
  expect(retryStatus).toBeLessThan(300);
  // Its own failure at 01:45, then the retry that never started (cancelled in the queue).
  expect(runs("Load CRM").map((r) => r.status)).toEqual([8, 8]);
  expect(runs("Load CRM")[1]).toMatchObject({ startMs: -1 });
  const cancelled = events.filter((x) => x.e.kind === "task.failed" && (x.e as TaskEvent).task.id === CRM && (x.e as TaskEvent).errorClass === "queue");
  expect(cancelled.length).toBe(1);
  expect(cancelled[0]!.at).toBeGreaterThanOrEqual(at("02:20"));
  // The watchdog saw no backlog: the only run waiting was Steward's own.
  expect(events.filter((x) => x.e.kind === "scheduler.queue_backlog")).toEqual([]);
});

test("no queue cause opened for Steward's own cancelled run", () => {
  expect(causesAt0330.filter((c) => c.title.startsWith("reload queue backed up"))).toEqual([]);
});

test("the retry's cancellation is paged as the task's own failure, saying the retry failed", () => {
  const pages = rx.requests.filter((r) => r.path === "/hook").map((r) => JSON.parse(r.body) as { kind?: string; remediationLines?: string[] });
  const told = pages.filter((p) => (p.remediationLines ?? []).some((l) => l.includes("the retry failed.")));
  expect(told.length).toBe(1);
});
