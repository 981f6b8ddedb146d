// The simulated tenant's reload list keeps the JSON of each ended reload (nothing of it changes once it has ended):
// a reload listed while it runs is listed with its end once it has ended, and an ended one the same on every page.
import { expect, test } from "bun:test";
import type { Clock, Timer } from "../../../src/platform/core/clock";
import { createCloudTenant } from "../../../src/sim/cloud";
import { listReloads } from "../../../src/sim/cloud/reloads-api";
import { DEFAULT_SITE_YAML } from "../../../src/sim/site/default-site";
import { parseSite } from "../../../src/sim/site/load";

function stalledClock(start: number): Clock & { set(ms: number): void } {
  let now = start;
  return { now: () => now, setTimeout: () => ({}) as Timer, clearTimeout: () => {}, set: (ms) => void (now = ms) };
}

type Page = { data: Array<Record<string, unknown>>; links: { self: { href: string }; next?: { href: string } } };

test("a reload is listed running, then ended, and an ended one the same on every page, in either form", async () => {
  const clock = stalledClock(Date.parse("2026-03-29T14:00:00Z"));
  const site = parseSite(DEFAULT_SITE_YAML);
  const tenant = createCloudTenant(site, { now: clock.now, clock, durationMs: () => 50_000, schedules: false });
  const url = (q: string) => new URL(`https://tenant.example/api/v1/reloads?${q}`);
  const page = async (q: string) => (await listReloads(tenant, url(q)).text()) as string;
  try {
    const first = tenant.runReload(site.apps[0]!.id, "succeed");
    clock.set(clock.now() + 20_000);
    tenant.settle(clock.now());
    const running = JSON.parse(await page("limit=10")) as Page;
    expect(running.data.map((r) => [r.id, r.status, r.endTime])).toEqual([[first.id, "RELOADING", undefined]]);

    clock.set(clock.now() + 60_000);
    tenant.settle(clock.now());
    const second = tenant.runReload(site.apps[0]!.id, "fail");
    clock.set(clock.now() + 60_000);
    tenant.settle(clock.now());
    const text = await page("limit=10");
    const ended = JSON.parse(text) as Page;
    expect(ended.data.map((r) => [r.id, r.status, r.endTime, r.duration])).toEqual([
      [second.id, "FAILED", new Date(second.endTime!).toISOString(), "PT37.500S"],
      [first.id, "SUCCEEDED", new Date(first.endTime!).toISOString(), "PT37.500S"],
    ]);
    expect(ended.data[0]!.errorCode).toBe("EngineReloadScriptError");
    // Asked again: the same text; without the log, the same entries less their log; a page of one links to the next.
    expect(await page("limit=10")).toBe(text);
    const noLog = JSON.parse(await page("limit=10&log=false")) as Page;
    expect(noLog.data).toEqual(ended.data.map(({ log: _log, ...rest }) => rest));
    const one = JSON.parse(await page("limit=1")) as Page;
    expect(one.data).toEqual([ended.data[0]!]);
    expect(one.links.next?.href).toContain("next=");
    expect(JSON.parse(await page("limit=10")) as Page).toEqual(ended);
  } finally {
    tenant.stop();
  }
});
