// A full plan read that QRS answers short (a truncated or garbled trigger list with a 200) must not leave the
// missing triggers unwatched until the next full read, a day later by default: a modifiedDate filter never brings
// back a trigger that did not change. The next look reads everything again, and the missed start is reported.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const START = Date.parse("2026-11-23T06:00:00Z");
const MIN = 60_000;
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }, { name: Reload01, hostName: sense2 }]
users: [{ userDirectory: INTERNAL, userId: sa_scheduler, name: sa_scheduler }]
apps: [{ name: Sales, owner: INTERNAL\\sa_scheduler }]
tasks:
  - name: Reload Sales
    type: reload
    app: Sales
    node: Reload01
    durationMs: 20000
    triggers: [{ type: schema, name: Hourly, incrementOption: hourly, startDate: "2026-01-01T00:30:00.000", timeZone: UTC }]
`;

const dir = createTempDir();
let site: SteppedSite | undefined;
let t: TestApp | undefined;
const events: { at: number; e: WatchdogEvent }[] = [];
const nextExpected: Array<{ at: number; next: string | null }> = [];
afterAll(() => closeAll(t, site?.sim, dir));

beforeAll(async () => {
  site = await startSteppedSite(dir.path, START, SITE);
  const { sim, clock } = site;
  // For the first ten minutes QRS answers the trigger list empty, though its count says one.
  sim.faults.add({ target: "qrs", method: "GET", pathContains: "schemaevent/full", status: 200, body: "[]", forMs: 10 * MIN }, clock.now());
  t = createTestApp(`${qlikYaml(sim)}watchdog:\n  interval: 5m\n  planRefresh: 1h\n`, { clock, dir: join(dir.path, "steward") });
  t.app.bus.on("task.missed", (e) => void events.push({ at: clock.now(), e: e as WatchdogEvent }));
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  const view = async () =>
    ((await (await t!.request("/v4/watchdog")).json()) as { tasks: Array<{ name: string; nextExpectedAt: string | null }> }).tasks.find(
      (x) => x.name === "Reload Sales",
    )?.nextExpectedAt ?? null;
  for (const m of [1, 16, 21]) {
    await clock.runUntil(START + m * MIN);
    nextExpected.push({ at: clock.now(), next: await view() });
  }
  // The 06:30 run does not start: its node is down.
  await simControl(sim, "POST", "/nodes/Reload01/down");
  await clock.runUntil(START + 60 * MIN);
}, 120_000);

test("while QRS answers the trigger list short the task has no expected start; the first look after it reads the triggers again", () => {
  expect(nextExpected[0]).toEqual({ at: START + MIN, next: null });
  // The fault ends at 06:10; the look at 06:15 reads everything again, well before the next full read a day later.
  expect(nextExpected[1]).toEqual({ at: START + 16 * MIN, next: "2026-11-23T06:30:00.000Z" });
  expect(nextExpected[2]).toEqual({ at: START + 21 * MIN, next: "2026-11-23T06:30:00.000Z" });
});

test("the start that did not happen is reported once", () => {
  expect(events.map((x) => x.e.kind)).toEqual(["task.missed"]);
  expect(events[0]!.e.task?.name).toBe("Reload Sales");
});
