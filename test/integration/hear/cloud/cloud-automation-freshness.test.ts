// A freshness promise that waits on a Qlik Automate automation of the simulated tenant: "never older than 10 min".
// The automation does not run: the promise is breached once; a run that fails does not keep it; a run that finishes
// is the data arriving and recovers it once. Steward and the tenant share a stepped clock, so what is asserted is what
// happened within simulated minutes, not how fast the machine ran.
import { expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { cloudConfigYaml, stewardFromFile } from "../../../helpers/cloud-config-file";
import { steppedCloudForFile } from "../../../helpers/stepped-cloud";
import { waitFor } from "../../../helpers/wait-for";

const START = Date.parse("2026-05-04T08:00:00Z");
const MINUTE = 60_000;
const { dir, cloud } = steppedCloudForFile(START);

/** Steward on the shared clock: the tenant's automations watched, a promise "never older than 10 min" on `automation`. */
function steward(name: string, automation: string, extra: string) {
  const yaml = cloudConfigYaml(cloud.sim, {
    name: "corp",
    settings: { pollInterval: "30s", lookBack: "1h", automations: "{}" },
    rest: `freshness:
  interval: 30s
  promises:
    feed:
      automations: [${automation}]
      maxAge: 10m
${extra}`,
  });
  return stewardFromFile(join(dir.path, name), yaml, cloud.clock);
}

test("a promise on an automation is breached while it does not run, not kept by a failed run, and recovered by a finished one", async () => {
  const { clock } = cloud;
  const automations = cloud.sim.cloud!.automations;
  const crm = automations.add({ name: "Nightly CRM extract", outcome: "fail" });
  automations.add({ name: "Unwatched export" });
  const { app } = steward("steward", "nightly crm extract", "");
  const events: WatchdogEvent[] = [];
  for (const k of ["app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"] as const)
    app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  const kinds = () => events.map((e) => `${e.kind} ${e.app?.name}`);
  await app.start();
  try {
    await clock.runUntil(START + 12 * MINUTE);
    expect(kinds()).toEqual(["app.freshness_breached Nightly CRM extract"]);

    automations.runNow(crm.id);
    await clock.runUntil(clock.now() + 3 * MINUTE);
    expect(kinds()).toEqual(["app.freshness_breached Nightly CRM extract"]);

    automations.update(crm.id, { outcome: "finish" });
    const ran = automations.runNow(crm.id)!;
    await clock.runUntil(clock.now() + 3 * MINUTE);
    expect(ran.status).toBe("finished");
    expect(kinds()).toEqual(["app.freshness_breached Nightly CRM extract", "app.freshness_recovered Nightly CRM extract"]);
    // The unwatched automation is no app of the promises' store.
    expect((await app.freshness!.store.apps()).map((a) => a.appName)).toEqual(["Nightly CRM extract"]);
  } finally {
    await app.stop();
  }
}, 60_000);

test("a failed automation is one cause: the promise's breach waiting on it is listed there, not paged; the run after it ends the cause", async () => {
  const { clock } = cloud;
  const automations = cloud.sim.cloud!.automations;
  const feed = automations.add({ name: "Hourly sales feed", outcome: "fail", failingBlock: "Read Salesforce" });
  const received: string[] = [];
  const hook = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      const body = (await req.json()) as { kind: string; data?: { automation?: string } };
      if (JSON.stringify(body).includes("Hourly sales feed")) received.push(body.kind);
      return new Response("ok");
    },
  });
  const { app, request: call } = steward(
    "steward-cause",
    "hourly sales feed",
    `channels:
  hook: { type: webhook, url: "http://127.0.0.1:${hook.port}/hook" }
routes:
  - { name: feed, on: [cloud.automation.failed, cloud.automation.recovered, app.freshness_breached], to: [hook] }
`,
  );
  const seen: Array<{ kind: string; id: string }> = [];
  for (const k of ["cloud.automation.failed", "cloud.automation.recovered", "app.freshness_breached", "app.freshness_recovered"] as const)
    app.bus.on(k, (e) => {
      // (The first test's automation ran within this Steward's look-back too.)
      if (JSON.stringify(e).includes("Hourly sales feed")) seen.push({ kind: e.kind, id: e.id });
    });
  const request = (path: string) => call(path).then((r) => r.json() as Promise<any>);
  const statuses = async (kind: string) => {
    const ids = seen.filter((s) => s.kind === kind).map((s) => s.id);
    const out: string[] = [];
    for (const id of ids) for (const d of (await request(`/v4/deliveries?eventId=${encodeURIComponent(id)}`)).deliveries) out.push(d.status);
    return out;
  };
  const start = clock.now();
  await app.start();
  try {
    await clock.runUntil(start + MINUTE);
    automations.runNow(feed.id);
    await clock.runUntil(start + 12 * MINUTE);
    expect(seen.map((s) => s.kind)).toEqual(["cloud.automation.failed", "app.freshness_breached"]);
    const open = (await request("/v4/causes?status=open")).causes as Array<{ id: number; title: string }>;
    const cause = open.find((c) => c.title === "Hourly sales feed failed: what it feeds waits")!;
    expect(cause).toBeDefined();
    const detail = await request(`/v4/causes/${cause.id}`);
    expect(detail.symptoms.map((s: { kind: string }) => s.kind).sort()).toEqual(["app.freshness_breached", "app.waiting", "cloud.automation.failed"]);
    expect(await statuses("app.freshness_breached")).toEqual(["suppressed"]);
    expect(await statuses("cloud.automation.failed")).not.toContain("suppressed");

    automations.update(feed.id, { outcome: "finish" });
    automations.runNow(feed.id);
    await clock.runUntil(clock.now() + 3 * MINUTE);
    expect(seen.map((s) => s.kind).sort()).toEqual([
      "app.freshness_breached",
      "app.freshness_recovered",
      "cloud.automation.failed",
      "cloud.automation.recovered",
    ]);
    expect((await request(`/v4/causes/${cause.id}`)).status).toBe("closed");
    // One page for the cause, one when it is over (carried by whichever of the two recoveries came last).
    await waitFor(() => received.length >= 2, { timeoutMs: 10_000 });
    await clock.runUntil(clock.now() + 3 * MINUTE);
    expect(received[0]).toBe("cloud.automation.failed");
    expect(received.slice(1)).toHaveLength(1);
    expect(["cloud.automation.recovered", "app.freshness_recovered"]).toContain(received[1]!);
  } finally {
    await app.stop();
    hook.stop(true);
  }
}, 60_000);
