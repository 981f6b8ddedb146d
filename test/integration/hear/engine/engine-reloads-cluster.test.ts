// Two Stewards on one PostgreSQL store, and every node's appenders send to both (as an admin who lists both Stewards as
// targets): each Engine reload line reaches both. A hub user's failed reload is announced once for the site (its claim
// in the store); the Scheduler's run of the same app is announced once (its task.failed) and its Engine lines are told
// apart with schedulerUsers emptied, by QRS alone (a reload task of the app was running then). One stepped clock.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { TestApp } from "../../../helpers/app";
import { reloadAsUser } from "../../../helpers/engine-user";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { type HttpReceiver, startHttpReceiver } from "../../tell/notify/receivers";
import { wallLimit } from "../../../helpers/time-limit";

const START = Date.parse("2026-03-24T06:00:00Z");
const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const SITE = `
site: { name: Engine reloads cluster, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: bob, name: Bob Analyst }
streams: [{ name: Sales }]
apps:
  - { id: ${SALES}, name: Sales dashboard, owner: CORP\\bob, stream: Sales, reload: { outcome: fail, error: "Cannot open file", durationMs: 20000 } }
tasks:
  - { id: ${TASK}, name: Reload Sales dashboard, type: reload, app: Sales dashboard, outcome: fail, scriptError: "Cannot open file", durationMs: 30000 }
`;

const dir = createTempDir("steward-engine-cluster-");
let pg: PostgresService;
let site: SteppedSite;
let rx: HttpReceiver;
const stewards: Record<string, TestApp> = {};
const events: Array<{ by: string; e: TaskEvent }> = [];

beforeAll(async () => {
  pg = await startPostgres();
  rx = startHttpReceiver();
  const url = await pg.createDatabase("engine_reloads_cluster");
  site = await startSteppedSite(dir.path, START, SITE);
  site.sim.settings.udp.engine = true;
  for (const name of ["alpha", "beta"])
    stewards[name] = await startSteppedMember(site.clock, url, name, dir.path, {
      yaml: `${qlikYaml(site.sim)}udp: { host: 127.0.0.1, port: 0 }
intake:
  reconcile: { enabled: false }
engineReloads:
  schedulerUsers: []
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [app.reload_failed, task.failed], to: [hook] }
`,
      beforeStart: (t) => {
        for (const k of ["app.reload_failed", "app.reload_succeeded", "task.failed"] as const)
          t.app.bus.on(k, (e) => void events.push({ by: name, e: e as TaskEvent }));
      },
    });
  // Every node's appenders send to both Stewards; time holds while a datagram is on its way to either.
  const targets = Object.values(stewards).map((t) => ({ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port, t }));
  site.sim.settings.udp.targets = targets.map(({ host, port }) => ({ host, port }));
  for (const { host, port, t } of targets) {
    const key = `${host}:${port}`;
    const before = t.app.intake.counters.received.get() - site.sim.udp.sentTo(key);
    site.clock.addIdleProbe(`datagrams on their way to ${key}`, () => site.sim.udp.sentTo(key) + before <= t.app.intake.counters.received.get());
  }
}, 120_000);

afterAll(async () => {
  for (const s of Object.values(stewards)) await s.close().catch(() => {});
  await site?.sim.stop();
  await pg?.stop();
  await rx?.stop();
  dir.remove();
});

const kinds = () => rx.requests.filter((r) => r.path === "/hook").map((r) => (JSON.parse(r.body) as { kind: string }).kind);

test("a hub user's failed reload heard by both Stewards: one app.reload_failed, one page", async () => {
  const done = reloadAsUser(site.sim, site.clock, { user: "CORP\\bob", appId: SALES, viaProxy: true });
  await site.clock.runUntil(site.clock.now() + 60_000, { stallMs: wallLimit(10_000) });
  expect(await done).toBe(false);
  expect(
    site.sim.udp
      .recent()
      .filter((d) => d.prefix === "/engine-reload/")
      .every((d) => d.targets.length === 2),
  ).toBe(true);
  expect(events.filter(({ e }) => e.kind === "app.reload_failed")).toHaveLength(1);
  expect(kinds()).toEqual(["app.reload_failed"]);
}, 120_000);

test("the Scheduler's run of the app: one task.failed; its Engine lines told apart by QRS, announced by neither", async () => {
  expect(site.sim.tasks.start(TASK).started).toBe(true);
  await site.clock.runUntil(site.clock.now() + 3 * 60_000, { stallMs: wallLimit(10_000) });
  expect(kinds()).toEqual(["app.reload_failed", "task.failed"]);
  expect(events.filter(({ e }) => e.kind === "app.reload_failed")).toHaveLength(1);
  // Both Stewards heard the Scheduler's reload from the Engine; one claimed it and found it the Scheduler's.
  const rows = await stewards.alpha!.app.engineReloads!.store.pending(10);
  expect(rows).toEqual([]);
  const listed = await stewards.beta!.app.engineReloads!.store.list({ sinceMs: START, limit: 10 });
  expect(listed.map((r) => r.user)).toEqual(["CORP\\bob"]);
  const all = await stewards.alpha!.app.sharedStore.sql.all<{ reason: string; by_scheduler: number }>(
    "SELECT reason, by_scheduler FROM engine_reloads ORDER BY ended_ms",
  );
  expect(all.map((r) => Number(r.by_scheduler))).toEqual([0, 1]);
  expect(all[1]!.reason).toContain("a reload task of the app was running on the Scheduler then");
}, 120_000);
