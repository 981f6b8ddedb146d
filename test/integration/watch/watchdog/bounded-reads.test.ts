// Per-look reads bounded: a site of 30 five-minute tasks on a stepped clock whose QRS answers 503 on execution results
// for six simulated hours, while a task fails, a node is down and a run is Skipped. Afterwards each look reads at most
// `watchdog.readLimit` results and carries on from where it stopped, and no failed, missed or Skipped run is lost.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const START = Date.parse("2026-11-23T00:00:00Z");
const HOUR = 3_600_000;
const MIN = 60_000;
const LIMIT = 200;
const OUTAGE = { from: START + 3 * HOUR, to: START + 9 * HOUR };
const name = (i: number) => `Task ${String(i).padStart(2, "0")}`;
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }, { name: Reload01, hostName: sense2 }]
users: [{ userDirectory: INTERNAL, userId: sa_scheduler, name: sa_scheduler }]
apps:
${Array.from({ length: 30 }, (_, i) => `  - { name: App ${name(i + 1)}, owner: INTERNAL\\sa_scheduler }`).join("\n")}
tasks:
${Array.from(
  { length: 30 },
  (_, i) =>
    `  - { name: ${name(i + 1)}, type: reload, app: App ${name(i + 1)}, node: ${i % 2 ? "Reload01" : "Central"}, durationMs: ${20_000 + (i % 5) * 10_000}, ` +
    `triggers: [{ type: schema, name: ${name(i + 1)} every 5 minutes, incrementOption: custom, incrementDescription: "5 0 0 0", startDate: "2026-01-01T00:00:00.000", timeZone: UTC }] }`,
).join("\n")}
`;

const dir = createTempDir();
let site: SteppedSite | undefined;
let t: TestApp | undefined;
const events: { at: number; e: WatchdogEvent }[] = [];
afterAll(() => closeAll(t, site?.sim, dir));

beforeAll(async () => {
  site = await startSteppedSite(dir.path, START, SITE);
  const { sim, clock } = site;
  // What the file asserts is the watchdog's: its reads, its events and the runs it stored. Incidents are off: with
  // them each of the ~3,800 runs the looks announce was recorded, its history read, and its script log fetched for the
  // warnings (two QRS requests a successful run, over half the file's requests). The node rule reads QRS's service
  // states every two minutes (30 s by default): Reload01's half hour down is still read as before, and nothing here
  // asserts on the rule. A third of the file's CPU (bench/history/issue-89.md, rich2).
  t = createTestApp(
    `${qlikYaml(sim)}watchdog:\n  interval: 5m\n  readLimit: ${LIMIT}\nincidents: { enabled: false }\ngrouping: { nodeDown: { unreachable: { interval: 2m } } }\n`,
    { clock, dir: join(dir.path, "steward") },
  );
  for (const k of ["task.missed", "task.chain_broken", "task.running_long", "app.stale", "task.disabled"] as const)
    t.app.bus.on(k, (e) => void events.push({ at: clock.now(), e: e as WatchdogEvent }));
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  const ids = new Map(((await simControl(sim, "GET", "/tasks")) as Array<{ id: string; name: string }>).map((x) => [x.name, x.id]));
  const at = async (ms: number, act: () => Promise<unknown>) => (await clock.runUntil(ms), act());
  await at(OUTAGE.from, async () => sim.faults.add({ target: "qrs", pathContains: "executionresult", status: 503, forMs: 6 * HOUR }, clock.now()));
  await at(START + 4 * HOUR, () => simControl(sim, "PATCH", `/tasks/${ids.get(name(7))}`, { outcome: "fail" }));
  await at(START + 5 * HOUR, () => simControl(sim, "PATCH", `/tasks/${ids.get(name(7))}`, { outcome: "succeed" }));
  await at(START + 5 * HOUR + 30 * MIN, () => simControl(sim, "POST", "/nodes/Reload01/down"));
  await at(START + 6 * HOUR, () => simControl(sim, "POST", "/nodes/Reload01/up"));
  // Task 03's 07:00 run takes seven minutes, so the trigger due at 07:05 finds it running: QRS records Skipped.
  await at(START + 7 * HOUR - MIN, () => simControl(sim, "PATCH", `/tasks/${ids.get(name(3))}`, { durationMs: 7 * MIN }));
  await at(START + 7 * HOUR + MIN, () => simControl(sim, "PATCH", `/tasks/${ids.get(name(3))}`, { durationMs: 20_000 }));
  // The backlog is read by 10:30 (a look reads 60 results from then on, 112-198 before): half an hour of usual looks after it shows
  // they caught up (asserted below); the two hours to noon this ran before added nothing the tests look at.
  await clock.runUntil(START + 11 * HOUR);
}, 300_000);

test("after the outage each look reads at most the limit, and the looks carry on until they caught up", () => {
  const reads = site!.sim.requests
    .list({ source: "qrs", pathContains: "executionresult/full" })
    .filter((r) => r.status === 200 && (r.query.filter ?? "").includes("modifiedDate"));
  const items = reads.map((r) => r.responseItems ?? -1);
  expect(items.every((n) => n >= 0 && n <= LIMIT)).toBe(true);
  // The backlog (30 tasks every 5 minutes for 6 hours: over 2,000 results) took several full reads after the outage.
  const after = reads.filter((r) => Date.parse(r.time) >= OUTAGE.to);
  const capped = after.filter((r) => (r.responseItems ?? 0) > LIMIT / 2);
  const bytes = capped.reduce((n, r) => n + (r.responseBytes ?? 0), 0);
  const rows = capped.reduce((n, r) => n + (r.responseItems ?? 0), 0);
  console.log(
    `after the outage: ${capped.length} capped reads of ${Math.max(...items)} results at most, ${(bytes / Math.max(1, rows)).toFixed(0)} bytes a result; ` +
      `${site!.sim.requests.list({ source: "qrs", pathContains: "executionresult/count" }).length} counts`,
  );
  expect(after.slice(0, 5).every((r) => (r.responseItems ?? 0) > LIMIT / 2)).toBe(true);
  // …and caught up: the last looks read what their own five minutes changed (60 results here), far below the limit.
  expect(after.slice(-3).every((r) => (r.responseItems ?? LIMIT) < LIMIT / 2)).toBe(true);
  expect(site!.sim.requests.list({ source: "qrs", pathContains: "executionresult/count" }).length).toBeGreaterThan(0);
});

test("no run is lost: every failed run is stored, the node's missed starts and the Skipped run are raised, nothing else", () => {
  const { sim } = site!;
  const failed = [...sim.repo.executions.values()].filter((x) => x.status === 8).map((x) => x.id.toLowerCase());
  expect(failed.length).toBeGreaterThanOrEqual(10);
  const stored = new Set(
    t!.app.store.db
      .prepare("SELECT result_id FROM watchdog_runs WHERE status = 8")
      .all()
      .map((r) => String((r as { result_id: string }).result_id)),
  );
  expect(failed.filter((id) => !stored.has(id))).toEqual([]);

  const onReload01 = Array.from({ length: 30 }, (_, i) => (i % 2 ? name(i + 1) : "")).filter(Boolean);
  const missed = new Set(events.filter((x) => x.e.kind === "task.missed" && x.e.condition.type === "missed").map((x) => x.e.task?.name));
  expect([...missed].sort()).toEqual(onReload01.sort());
  const skipped = events.filter((x) => x.e.condition.type === "skipped").map((x) => x.e.task?.name);
  expect(skipped).toEqual([name(3)]);
  // Anything else is about a task the faults touched (Task 07's failures may make its app stale).
  const touched = new Set([...onReload01, name(3), name(7)]);
  const other = events.filter((x) => !touched.has(x.e.task?.name ?? x.e.app?.name?.replace(/^App /, "") ?? ""));
  expect(other.map((x) => `${x.e.kind}: ${x.e.summary}`)).toEqual([]);
});
