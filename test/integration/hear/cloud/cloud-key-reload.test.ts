// A Qlik Cloud API key rotated by a config reload (the old one expired or was revoked): the reload applies it in
// place, the tenant is polled with it at once instead of after the pause a refused key causes, the reload that
// failed meanwhile is announced, and a change other than a key is reported as needing a restart. Steward and the
// simulated tenant share a stepped clock: what is asserted is what happened within a simulated minute (well within
// the five minutes a refused key otherwise waits), not how long the machine took.
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StewardApp } from "../../../../src/app";
import type { SiteEvent, TaskEvent } from "../../../../src/platform/events/types";
import { cloudConfigYaml, stewardFromFile } from "../../../helpers/cloud-config-file";
import { steppedCloudForFile } from "../../../helpers/stepped-cloud";

const START = Date.parse("2026-05-04T08:00:00Z");
const MINUTE = 60_000;
const { dir, cloud } = steppedCloudForFile(START);

const yaml = (key: string, pollInterval = "30s") => cloudConfigYaml(cloud.sim, { name: "rotate", key, settings: { pollInterval, lookBack: "1h" } });

/** Steward on the shared clock with a config file holding `key`; records failed runs and refused-key alerts. */
function steward(name: string, key: string) {
  const { app, file, request } = stewardFromFile(join(dir.path, name), yaml(key), cloud.clock);
  const failed: TaskEvent[] = [];
  const refused: SiteEvent[] = [];
  app.bus.on("task.failed", (e) => void failed.push(e as TaskEvent));
  app.bus.on("qlikcloud.key_rejected", (e) => void refused.push(e as SiteEvent));
  const ready = async () =>
    ((await (await request("/ready")).json()) as { components: Record<string, { ok: boolean; detail?: string }> }).components["qlik-cloud:rotate"];
  return { app, file, failed, refused, request, ready };
}
const failedReload = () => cloud.sim.cloud!.runReload(cloud.sim.site.apps[0]!.id, "fail", { type: "hub" });
const watcherOf = (app: StewardApp) => app.cloudTenants.find((w) => w.name === "qlik-cloud rotate")!;

test("a new key loaded by a config reload is used at once; other changes need a restart", async () => {
  const s = steward("steward", "an-expired-key");
  const { clock } = cloud;
  await s.app.start();
  try {
    await clock.runUntil(clock.now() + MINUTE);
    expect((await s.ready())?.ok).toBe(false);
    expect(s.refused.length).toBe(1);
    const failed = failedReload();
    writeFileSync(s.file, yaml(cloud.sim.cloud!.apiKey));
    const res = await s.request("/v4/admin/reload", { method: "POST" });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { applied: string[]; restartRequired: string[] };
    expect(report.applied).toContain("qlik-cloud");
    expect(report.restartRequired).toEqual([]);
    // Within a simulated minute, where a refused key otherwise waits five.
    await clock.runUntil(clock.now() + MINUTE);
    expect(s.failed.map((e) => e.executionId)).toEqual([failed.id]);
    expect((await s.ready())?.ok).toBe(true);

    writeFileSync(s.file, yaml(cloud.sim.cloud!.apiKey, "1m"));
    const changed = (await (await s.request("/v4/admin/reload", { method: "POST" })).json()) as { restartRequired: string[] };
    expect(changed.restartRequired).toEqual(["qlikCloud"]);
  } finally {
    await s.app.stop();
  }
}, 60_000);

test("a key replaced while a poll with the old key is on its way: the old key's refusal does not pause the new one", async () => {
  const s = steward("steward-race", "a-revoked-key");
  const { clock } = cloud;
  const tenant = cloud.sim.cloud!;
  const failed = failedReload();
  // The tenant refuses the old key of the first poll and, before that answer reaches Steward, the new key is
  // loaded: the reload is counted as work in flight, so the clock waits for it as it waits for the answer.
  const accepts = tenant.accepts.bind(tenant);
  let rotated = false;
  tenant.accepts = (bearer, nowMs) => {
    const ok = accepts(bearer, nowMs);
    if (!ok && !rotated) {
      rotated = true;
      writeFileSync(s.file, yaml(tenant.apiKey));
      void clock.track(s.app.reloader.reload("test", { kind: "system", name: "test" }), "config reload");
    }
    return ok;
  };
  await s.app.start();
  try {
    await clock.runUntil(clock.now() + MINUTE);
    expect(rotated).toBe(true);
    // (The first test's failed reload is within this Steward's look-back too.)
    expect(s.failed.map((e) => e.executionId)).toContain(failed.id);
    expect(watcherOf(s.app).state()).toMatchObject({ up: true });
    expect(watcherOf(s.app).state().pausedUntil).toBeUndefined();
    expect(s.refused).toEqual([]);
  } finally {
    tenant.accepts = accepts;
    await s.app.stop();
  }
}, 60_000);
