// A [queue] rule's re-run covers its cause, not the moment the queue drained (issue 101), on the simulator and a
// stepped clock shared with Steward. Node Reload01 runs two reloads at once (queue timeout 20 minutes); at 01:50 an
// admin starts two long reloads there (both engines busy until 04:00). Extract orders and Load Sales (its chain's next)
// wait in the queue and Qlik cancels them at 02:20; Late 1, due at 02:12, is cancelled at 02:32, the queue's last. Its
// datagram is lost, so the watchdog's look finds the queue empty first: the rule's re-run, asked at the drain, holds
// Extract orders and Load Sales only, and waits for a free engine. Reconciliation hears Late 1's cancellation at
// 03:30, while that re-run is pending: it joins it, after the runs already asked for, and runs once an engine frees.
// Before, only a person's re-run was joined: Late 1 was never re-run and its data missed the night.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { after, at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, type SiteSteward, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";

const ADMIN = ["f6ee0000-0000-4000-8000-0000000000a1", "f6ee0000-0000-4000-8000-0000000000a2"];
const SITE = reloadQueueSiteYaml({
  name: "Rule re-run joined night",
  engines: 2,
  engineTimeout: 20,
  apps: ["Admin long 1", "Admin long 2", "Extract orders", "Load Sales", "Late 1"],
  tasks: [
    reloadTask("Admin long 1", 130, [], `, id: ${ADMIN[0]}`),
    reloadTask("Admin long 2", 160, [], `, id: ${ADMIN[1]}`),
    reloadTask("Extract orders", 5, [daily("02:00")]),
    reloadTask("Load Sales", 5, [daily("02:00"), after("Extract orders")]),
    reloadTask("Late 1", 5, [daily("02:12")]),
  ],
});
const FREE_AT = at("04:00");

interface Action {
  id: number;
  taskName: string;
  status: string;
  outcome: string | null;
  requestedBy: string;
  afterId: number;
}

const dir = createTempDir("steward-rule-rerun-join-");
let s: SteppedSite | undefined;
let t: TestApp | undefined;
let events: SiteSteward["events"] = [];
let causeId = 0;
let atDrain: Action[] = [];
let actions: Action[] = [];
let rx: HttpReceiver;

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
  - { on: [scheduler.queue_backlog, task.failed], to: [hook] }
remediation:
  engineWait: 2h   # the engines stay busy about 100 minutes after the drain, past the default hour (engine-wait-limit.test.ts)
  rules:
    - { name: queue-reruns, errorClasses: [queue] }
`,
    at("01:30"),
  ));
  await clock.runUntil(at("01:50"));
  for (const id of ADMIN) sim.tasks.start(id, { user: "CORP\\anna" });
  await clock.runUntil(at("02:25"));
  const { causes } = (await (await t.request("/v4/causes")).json()) as { causes: Array<{ id: number; title: string }> };
  causeId = causes.find((c) => c.title === "reload queue backed up on reload01")?.id ?? 0;
  await clock.runUntil(at("02:31"));
  // Late 1's cancellation datagram is lost on its way (the Scheduler sends each once).
  const targets = sim.settings.udp.targets;
  sim.settings.udp.targets = [];
  await clock.runUntil(at("02:34"));
  sim.settings.udp.targets = targets;
  await clock.runUntil(at("02:45"));
  const read = async () => ((await (await t!.request(`/v4/causes/${causeId}/actions`)).json()) as { actions: Action[] }).actions;
  atDrain = await read();
  await clock.runUntil(at("04:30"));
  actions = await read();
}, 180_000);

const runs = (name: string) => s!.finished.filter((r) => r.task === name);

test("the night: Qlik cancelled the three runs in the queue; the drain's re-run held the two it had heard of", () => {
  expect(causeId).toBeGreaterThan(0);
  for (const n of ["Extract orders", "Load Sales", "Late 1"]) expect(runs(n)[0]).toMatchObject({ status: 8, startMs: -1 });
  expect(events.some((x) => x.e.kind === "task.on_track")).toBe(true);
  expect(atDrain.map((a) => [a.taskName, a.requestedBy])).toEqual([
    ["Extract orders", "rule:queue-reruns"],
    ["Load Sales", "rule:queue-reruns"],
  ]);
});

test("Late 1's cancellation, heard while the rule's re-run was pending, joined it after the runs already asked for, and ran once", () => {
  const late = actions.find((a) => a.taskName === "Late 1");
  expect(late).toMatchObject({ requestedBy: "rule:queue-reruns", status: "ended", outcome: "succeeded" });
  expect(late!.id).toBeGreaterThan(Math.max(...atDrain.map((a) => a.id)));
  const again = runs("Late 1").filter((r) => r.stopMs > at("02:33"));
  expect(again.map((r) => r.status)).toEqual([7]);
  expect(again[0]!.startMs).toBeGreaterThanOrEqual(FREE_AT);
});
