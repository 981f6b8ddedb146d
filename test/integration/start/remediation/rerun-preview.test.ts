// Issue 105: a re-run of the queue's cancelled runs previewed before anyone approves it (dryRun: true), on the
// simulator and a stepped clock. Node Reload01 runs four reloads at once for five nights, so the watchdog learns each
// task's usual duration; on Tuesday it runs two. At 01:50 two admin reloads (100 and 130 min) take both engines until
// 03:30; Extract orders and Load Sales (its chain's next task), due at 02:00, wait in the queue and Qlik cancels them at
// 02:20. A promise says the Load Sales app is fresh by 07:00. At 02:25 the preview says: Extract orders first, then
// Load Sales after it, on reload01, waiting for a free engine (2 of 2 busy), and Sales fresh at about 03:40 if approved
// now (an engine frees at 03:30, then 5 + 5 min). Nothing is recorded or started by it: no action, no start in QRS.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { after, at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";

const EXTRACT = "f5ee0000-0000-4000-8000-000000000001";
const SALES = "f5ee0000-0000-4000-8000-000000000002";
const ADMIN = ["f5ee0000-0000-4000-8000-0000000000a1", "f5ee0000-0000-4000-8000-0000000000a2"];
const SITE = reloadQueueSiteYaml({
  name: "Previewed night",
  engines: 4,
  engineTimeout: 20,
  apps: ["Admin long 1", "Admin long 2", "Extract orders", "Load Sales"],
  tasks: [
    reloadTask("Admin long 1", 100, [daily("01:50")], `, id: ${ADMIN[0]}`),
    reloadTask("Admin long 2", 130, [daily("01:50")], `, id: ${ADMIN[1]}`),
    reloadTask("Extract orders", 5, [daily("02:00")], `, id: ${EXTRACT}`),
    reloadTask("Load Sales", 5, [daily("02:00"), after("Extract orders")], `, id: ${SALES}`),
  ],
});

interface Preview {
  dryRun: true;
  node: string;
  runs: Array<{ order: number; taskName: string; after?: string }>;
  engines?: { busy: number; max: number; waiting: number; free: boolean };
  startsWhen: string;
  promises: Array<{ promise: string; expectedIfApproved?: string; text: string }>;
}

const dir = createTempDir("steward-rerun-preview-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let causeId = 0;
let preview: Preview | undefined;
let status = 0;
let actionsAfter: unknown[] = [];
let rx: HttpReceiver | undefined;

beforeAll(async () => {
  rx = startHttpReceiver();
  // The simulator alone from the Thursday before, with four engines: five nights for the watchdog to learn each
  // task's usual duration from (it needs five successful runs).
  s = await startSteppedSite(dir.path, Date.parse("2026-02-26T00:00:00Z"), SITE);
  const { sim, clock } = s;
  await clock.runUntil(at("01:00"));
  await simControl(sim, "PATCH", "/nodes/Reload01/scheduler", { maxConcurrentEngines: 2 });
  ({ t } = await startStewardOnSite(
    s,
    dir.path,
    `${QUIET_LOOKS}channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [scheduler.queue_backlog], to: [hook] }
freshness:
  promises:
    sales-morning: { appNames: [Load Sales app], freshBy: "07:00", timeZone: UTC }
`,
    at("01:30"),
  ));
  await clock.runUntil(at("02:25"));
  const { causes } = (await (await t.request("/v4/causes")).json()) as { causes: Array<{ id: number; title: string }> };
  causeId = causes.find((c) => c.title === "reload queue backed up on reload01")?.id ?? 0;
  const r = await t.request(`/v4/causes/${causeId}/rerun-cancelled`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ dryRun: true }),
  });
  status = r.status;
  preview = (await r.json()) as Preview;
  await clock.runUntil(at("04:05"));
  actionsAfter = ((await (await t.request(`/v4/causes/${causeId}/actions`)).json()) as { actions: unknown[] }).actions;
}, 180_000);

afterAll(async () => {
  await closeAll(t, s?.sim, dir);
  await rx?.stop();
});

test("the preview names the runs in order, the node, and the wait for a free engine", () => {
  expect(causeId).toBeGreaterThan(0);
  expect(status).toBe(200);
  expect(preview).toMatchObject({
    dryRun: true,
    node: "reload01",
    runs: [
      { order: 1, taskName: "Extract orders" },
      { order: 2, taskName: "Load Sales", after: "Extract orders" },
    ],
    engines: { busy: 2, max: 2, waiting: 0, free: false },
    startsWhen: "waiting for a free engine on reload01: 2 of 2 busy",
  });
});

test("the preview says when the promised app would be fresh if approved now: after the engine frees and the chain runs", () => {
  // An engine frees at 03:30 (Admin long 1 started at 01:50 and usually takes 100 min); then Extract orders and Load
  // Sales, 5 min each as they usually take. Without the re-run the chain stays stopped at the cancelled runs.
  expect(preview!.promises).toEqual([
    expect.objectContaining({
      promise: "sales-morning",
      expectedIfApproved: new Date(at("03:40")).toISOString(),
      text: "sales-morning fresh at about 2026-03-03 03:40 UTC if approved now (not expected without it)",
    }),
  ]);
});

test("a dry run records and starts nothing: no action on the cause, no task started through QRS", () => {
  expect(actionsAfter).toEqual([]);
  const starts = s!.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => /\/task\/[^/]+\/start/i.test(r.path));
  expect(starts).toEqual([]);
});
