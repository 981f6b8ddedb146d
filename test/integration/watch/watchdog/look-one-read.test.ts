// A usual look reads QRS's execution results in one request (issue 89): the runs in progress and those changed since
// its cursor in one answer, split by Steward. On a stepped clock, eight tasks whose runs (40 s to 7 minutes) are in
// progress at many of the five-minute looks: every finished run is stored, no start is judged missed, and a run
// that is long enough is still seen in progress by the looks.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const START = Date.parse("2026-11-23T00:00:00Z");
const HOUR = 3_600_000;
const name = (i: number) => `Task ${String(i).padStart(2, "0")}`;
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: INTERNAL, userId: sa_scheduler, name: sa_scheduler }]
apps:
${Array.from({ length: 8 }, (_, i) => `  - { name: App ${name(i + 1)}, owner: INTERNAL\\sa_scheduler }`).join("\n")}
tasks:
${Array.from(
  { length: 8 },
  (_, i) =>
    `  - { name: ${name(i + 1)}, type: reload, app: App ${name(i + 1)}, node: Central, durationMs: ${40_000 + i * 50_000}, ` +
    `triggers: [{ type: schema, name: ${name(i + 1)} every 10 minutes, incrementOption: custom, incrementDescription: "10 0 0 0", startDate: "2026-01-01T00:0${i}:00.000", timeZone: UTC }] }`,
).join("\n")}
`;

const dir = createTempDir();
let site: SteppedSite | undefined;
let t: TestApp | undefined;
const events: WatchdogEvent[] = [];
afterAll(() => closeAll(t, site?.sim, dir));

beforeAll(async () => {
  site = await startSteppedSite(dir.path, START - 60_000, SITE);
  const { sim, clock } = site;
  t = createTestApp(`${qlikYaml(sim)}watchdog:\n  interval: 5m\n`, { clock, dir: join(dir.path, "steward") });
  for (const k of ["task.missed", "task.chain_broken", "task.running_long", "app.stale", "task.disabled"] as const)
    t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  await clock.runUntil(START + 3 * HOUR);
}, 300_000);

const watchdogReads = () =>
  site!.sim.requests
    .list({ source: "qrs", pathContains: "executionresult/full" })
    .filter((r) => /status ge 1/.test(r.query.filter ?? "") || /modifiedDate/.test(r.query.filter ?? ""));

test("each usual look reads the execution results once: runs in progress and changed ones in one answer", () => {
  const reads = watchdogReads();
  const looks = Number(/steward_watchdog_looks_total\{result="ok"\} (\d+)/.exec(t!.app.metrics.render())?.[1] ?? 0);
  expect(looks).toBeGreaterThanOrEqual(30);
  // The first looks read a week back (no run yet to move the cursor): the runs in progress, then the week counted.
  // Every later one reads its five minutes in one request.
  const both = reads.filter((r) => /status ge 1/.test(r.query.filter!) && /modifiedDate/.test(r.query.filter!));
  const runningOnly = reads.filter((r) => !/modifiedDate/.test(r.query.filter!));
  expect(both.length).toBeGreaterThanOrEqual(looks - 2);
  expect(runningOnly.length).toBe(looks - both.length);
  // Runs were in progress at many looks (the answers held them).
  expect(both.filter((r) => (r.responseItems ?? 0) > 0).length).toBeGreaterThan(looks / 2);
});

test("no run is lost and nothing is judged missed", () => {
  const { sim } = site!;
  // Those that ended before the last look (five minutes apart, at most).
  const ended = [...sim.repo.executions.values()].filter((x) => x.status === 7 && x.stopMs! < START + 3 * HOUR - 5 * 60_000).map((x) => x.id.toLowerCase());
  expect(ended.length).toBeGreaterThanOrEqual(8 * 15);
  const stored = new Set(
    t!.app.store.db
      .prepare("SELECT result_id FROM watchdog_runs")
      .all()
      .map((r) => String((r as { result_id: string }).result_id)),
  );
  expect(ended.filter((id) => !stored.has(id))).toEqual([]);
  expect(events.map((e) => `${e.kind}: ${e.summary}`)).toEqual([]);
});

/** This process's open TCP connections to `port` (the client side: the remote port is the simulator's QRS). */
const connectionsTo = (port: number): number => {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const rows = ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((f) => (existsSync(f) ? readFileSync(f, "utf8").split("\n").slice(1) : []));
  return rows.filter((row) => {
    const cols = row.trim().split(/\s+/);
    return cols[2]?.endsWith(`:${hex}`) && cols[3] === "01";
  }).length;
};

test("a look after a quiet spell opens one connection to QRS: its reads follow one another on it", async () => {
  const port = site!.sim.ports.qrs;
  // The connections of the last look close a second after its last answer.
  await waitFor(() => connectionsTo(port) === 0, { timeoutMs: 20_000 });
  const before = site!.sim.requests.list().length;
  await t!.app.watchdog!.look();
  // The plan's six counts and the runs' read at least; each connection stays open a second after its last answer.
  expect(site!.sim.requests.list().length - before).toBeGreaterThanOrEqual(7);
  expect(connectionsTo(port)).toBe(1);
});
