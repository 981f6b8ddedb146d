// A promise written on the app in the QMC (custom property StewardFreshBy = "07:00 warn 06:30 Mon-Fri
// Europe/Stockholm"), with no promise in the config: read from the simulator's QRS, it warns at 06:30 and the status
// endpoint calls the app at risk. A value Steward cannot read on another app promises nothing for it. Steward and the
// simulator share a stepped clock, so the warning comes at its exact simulated time however busy the machine is.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { intakeYaml } from "../../hear/intake/harness";

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
const START = Date.parse("2026-11-23T05:00:00Z");
let site: SteppedSite | undefined;
let t: TestApp | undefined;
const events: Array<{ at: number; e: WatchdogEvent }> = [];

beforeAll(async () => {
  site = await startSteppedSite(dir.path, START, SITE);
  const { sim, clock } = site;
  t = createTestApp(intakeYaml(sim, {}, "freshness:\n  interval: 30s\n"), { clock, dir: dir.path });
  for (const k of ["app.freshness_warning", "app.freshness_breached"] as const)
    t.app.bus.on(k, (e) => void events.push({ at: clock.now(), e: e as WatchdogEvent }));
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  await clock.runUntil(Date.parse("2026-11-23T05:45:00Z"));
}, 60_000);

afterAll(async () => {
  await t?.close();
  await site?.sim.stop();
  dir.remove();
});

test("the app's own promise from the QMC warns at 06:30 and its status turns at risk; an unreadable value promises nothing", async () => {
  expect(events.map(({ e }) => [e.kind, e.app?.id, e.condition.openedAt])).toEqual([["app.freshness_warning", SALES, "2026-11-23T05:30:00.000Z"]]);
  // Judged every 30 simulated seconds: at 06:30 exactly or at the next judgement.
  expect(events[0]!.at - Date.parse("2026-11-23T05:30:00Z")).toBeLessThanOrEqual(30_000);
  expect(events[0]!.e.summary).toContain('(promise "StewardFreshBy:Sales dashboard", 07:00 Mon, Tue, Wed, Thu, Fri (Europe/Stockholm))');
  const status = (await (await t!.request(`/v4/status/apps/${SALES}`)).json()) as { state: string };
  expect(status.state).toBe("at_risk");
  expect((await t!.request(`/v4/status/apps/${HR}`)).status).toBe(404);
});
