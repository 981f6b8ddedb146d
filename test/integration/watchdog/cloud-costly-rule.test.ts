// A Qlik Cloud task whose RRULE is too costly to follow (MINUTELY with COUNT=399000 counted from January): the
// watchdog names it as a problem on /v4/watchdog and stops computing it until its definition changes, the other
// tasks are still watched, and /health answers promptly throughout, look after look.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Simulator } from "../../../src/sim";
import { closeAll, createTestApp, type TestApp } from "../../helpers/app";
import { createTempDir } from "../../helpers/temp-dir";
import { simCloudTenantYaml, startVirtualSimulator, virtualTime } from "../../helpers/virtual-clock";
import { waitFor } from "../../helpers/wait-for";

const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Sales, owner: CORP\\anna }, { name: Stock, owner: CORP\\anna }]
cloud:
  tasks:
    - { name: Sales hourly, app: Sales, recurrence: ["RRULE:FREQ=HOURLY;BYMINUTE=7;BYSECOND=0"], timezone: Europe/Stockholm }
    - { name: Stock hostile, app: Stock, recurrence: ["RRULE:FREQ=MINUTELY;COUNT=399000", "RRULE:FREQ=MINUTELY;COUNT=399001"], timezone: Europe/Stockholm, startDateTime: "2026-01-01T00:00:00" }
`;

const dir = createTempDir();
let sim: Simulator | undefined;
let t: TestApp | undefined;
afterAll(() => closeAll(t, sim, dir));

interface WatchdogView {
  problems: string[];
  tasks: Array<{ name: string; watched: boolean }>;
  cloud: Array<{ tenant: string; lastLookAt?: string }>;
}

test("a costly rule is a named problem, not a hang; /health stays responsive", async () => {
  const vt = virtualTime(Date.parse("2026-11-23T08:00:30Z"), 1);
  sim = await startVirtualSimulator(dir.path, vt, SITE, { cloud: true });
  t = createTestApp(`${simCloudTenantYaml(sim)}watchdog:\n  interval: 100ms\n  grace: 3m\n  stale: { enabled: false }\n`, {
    clock: vt.clock,
    dir: join(dir.path, "steward"),
  });
  await t.app.start();
  const view = async () => (await (await t!.request("/v4/watchdog")).json()) as WatchdogView;
  const looks = () => Number(t!.app.metrics.render().match(/steward_watchdog_cloud_looks_total\{tenant="corp-cloud",result="ok"\} (\d+)/)?.[1] ?? 0);

  // /health asked every 50 ms while the watchdog looks again and again: no answer waits long.
  let slowest = 0;
  let asked = 0;
  const until = performance.now() + 3_000;
  while (performance.now() < until) {
    const t0 = performance.now();
    expect((await t.request("/health")).status).toBe(200);
    slowest = Math.max(slowest, performance.now() - t0);
    asked++;
    await Bun.sleep(50);
  }
  expect(looks()).toBeGreaterThan(3);
  expect(slowest).toBeLessThan(1_000);
  expect(asked).toBeGreaterThan(20);

  await waitFor(async () => (await view()).problems.some((p) => p.includes("Stock hostile")), { timeoutMs: 10_000 });
  const v = await view();
  const problem = v.problems.find((p) => p.includes("Stock hostile"))!;
  expect(problem).toContain("not watched");
  expect(problem).toContain("more than");
  expect(v.problems.filter((p) => p.includes("Stock hostile"))).toHaveLength(1);
  expect(v.tasks.find((x) => x.name.startsWith("Stock hostile"))?.watched).toBe(false);
  expect(v.tasks.find((x) => x.name.startsWith("Sales hourly"))?.watched).toBe(true);
}, 30_000);
