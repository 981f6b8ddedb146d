// Plan reads cost what changed: after the first full read, a task changed in QRS is read again through a
// modifiedDate filter on the six lists (a few kilobytes), not the whole site (about 0.5 MB for the rich site), and
// the watchdog's view follows the change; a deletion still brings a full read (the counts fall).
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { richSiteYaml } from "../../../helpers/rich-site";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { simCertDir } from "../../../helpers/sim-certs";

const dir = createTempDir();
let sim: Simulator | undefined;
let t: TestApp | undefined;
afterAll(() => closeAll(t, sim, dir));

test("a changed task is read again through a modifiedDate filter, not with the whole plan", async () => {
  sim = await startSimulator({
    site: richSiteYaml(),
    certDir: simCertDir(join(dir.path, "sim-certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    versionPort: 0,
    schedules: false,
  });
  t = createTestApp(`${qlikYaml(sim)}watchdog:\n  interval: 100ms\n`, { dir: join(dir.path, "steward") });
  await t.app.start();
  const view = async () => (await (await t!.request("/v4/watchdog")).json()) as { lastLookAt?: string; tasks: Array<{ name: string; watched: boolean }> };
  await waitFor(async () => (await view()).tasks.length >= 100, { timeoutMs: 20_000 });
  const full = sim.requests.list({ source: "qrs", pathContains: "reloadtask/full" });
  expect(full.length).toBe(1);
  expect(full[0]!.query.filter).toBeUndefined();
  const fullBytes = full[0]!.responseBytes!;
  expect(fullBytes).toBeGreaterThan(100_000);

  sim.requests.clear();
  const ids = new Map(((await simControl(sim, "GET", "/tasks")) as Array<{ id: string; name: string }>).map((x) => [x.name, x.id]));
  await Bun.sleep(1_100); // QRS dates are to the millisecond; the filter allows a second for clocks
  await simControl(sim, "PATCH", `/tasks/${ids.get("Weekly 03")}`, { enabled: false });
  await waitFor(async () => (await view()).tasks.find((x) => x.name === "Weekly 03")?.watched === false, { timeoutMs: 20_000, what: "the change seen" });
  const reads = sim.requests.list({ source: "qrs", pathContains: "reloadtask/full" });
  expect(reads.length).toBeGreaterThanOrEqual(1);
  for (const r of reads) expect(r.query.filter).toMatch(/^modifiedDate gt '\d{4}-/);
  const bytes = reads.reduce((n, r) => n + (r.responseBytes ?? 0), 0);
  expect(bytes).toBeLessThan(fullBytes / 20);
  // The rest of the plan is intact: every other task is still there and watched.
  const v = await view();
  expect(v.tasks.filter((x) => x.watched).length).toBe(v.tasks.length - 1);
}, 60_000);
