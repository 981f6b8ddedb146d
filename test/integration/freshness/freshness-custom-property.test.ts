// A promise written on the app in the QMC (custom property StewardFreshBy = "07:00 warn 06:30 Mon-Fri
// Europe/Stockholm"), with no promise in the config: read from the simulator's QRS, it warns at 06:30 and the status
// endpoint calls the app late. A value Steward cannot read on another app promises nothing for it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { WatchdogEvent } from "../../../src/events/types";
import type { Simulator } from "../../../src/sim";
import { createTestApp, type TestApp } from "../../helpers/app";
import { createTempDir } from "../../helpers/temp-dir";
import { startVirtualSimulator, virtualTime } from "../../helpers/virtual-clock";
import { waitFor } from "../../helpers/wait-for";
import { intakeYaml } from "../intake/harness";

const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const HR = "5d0c2b7e-1f3a-4c8e-9b2d-7a6e5f4c3b21";
const SITE = `
site: { name: Freshness site, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
streams:
  - { name: Sales }
customProperties:
  - { name: StewardFreshBy, objectTypes: [App] }
apps:
  - { id: ${SALES}, name: Sales dashboard, owner: INTERNAL\\sa_scheduler, stream: Sales, customProperties: { StewardFreshBy: "07:00 warn 06:30 Mon-Fri Europe/Stockholm" } }
  - { id: ${HR}, name: HR, owner: INTERNAL\\sa_scheduler, customProperties: { StewardFreshBy: "seven o'clock" } }
`;
const dir = createTempDir();
// Monday 2026-11-23, 06:00 in Stockholm.
const vt = virtualTime(Date.parse("2026-11-23T05:00:00Z"), 300);
let sim: Simulator;
let t: TestApp;
const events: WatchdogEvent[] = [];

beforeAll(async () => {
  sim = await startVirtualSimulator(dir.path, vt, SITE);
  t = createTestApp(intakeYaml(sim, {}, "freshness:\n  interval: 30s\n"), { clock: vt.clock, dir: dir.path });
  for (const k of ["app.freshness_warning", "app.freshness_breached"] as const) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  await t.app.start();
}, 60_000);

afterAll(async () => {
  await t?.close();
  await sim?.stop();
  dir.remove();
});

test("the app's own promise from the QMC warns at 06:30 and its status turns late; an unreadable value promises nothing", async () => {
  await waitFor(() => events.length > 0, { timeoutMs: 40_000, what: "the warning at 06:30" });
  expect(events.map((e) => [e.kind, e.app?.id, e.condition.openedAt])).toEqual([["app.freshness_warning", SALES, "2026-11-23T05:30:00.000Z"]]);
  expect(events[0]!.summary).toContain('(promise "StewardFreshBy:Sales dashboard", 07:00 Mon, Tue, Wed, Thu, Fri (Europe/Stockholm))');
  const status = (await (await t.request(`/v4/status/apps/${SALES}`)).json()) as { state: string };
  expect(status.state).toBe("late");
  expect((await t.request(`/v4/status/apps/${HR}`)).status).toBe(404);
}, 90_000);
