// The Engine reloads service on a real store and bus, without QRS, on a manual clock: a reload heard twice (a second
// appender, a duplicate datagram) is announced once; more reloads a minute than maxRunsPerMinute are dropped and
// counted, not written; past a page budget per app or per node a failure is listed, not alerted; a reload still
// settling when Steward stops is judged, not lost; a reload claimed and judged but not announced when the process
// died is announced at the next start.
import { afterEach, expect, test } from "bun:test";
import { engineReloadsSchema } from "../../../../src/hear/engine/config";
import { createEngineReloads } from "../../../../src/hear/engine/engine-reloads";
import { parseEngineReload } from "../../../../src/hear/engine/engine-parser";
import { engineReloadMigrations } from "../../../../src/hear/engine/reload-store";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { DomainEvents, TaskEvent } from "../../../../src/platform/events/types";
import { openStore, type Store } from "../../../../src/platform/store/database";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

const T0 = Date.parse("2026-11-24T10:00:00Z");
const app = (n: number) => `0b2e1ab4-0f3c-4b1e-9d0a-${String(n).padStart(12, "0")}`;
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace("Z", "+0000");
function line(n: number, atMs: number, message = "Command=Reload;Result=1;ResultText=Error: Reload failed", node = "SENSE2") {
  const r = parseEngineReload(`/engine-reload/;${node};${app(n)};s${n};CORP;svc_etl;${stamp(atMs)};WARN;0;AuditActivity.Engine;${message}`, 16_384);
  if (!r.ok) throw new Error(r.detail);
  return { kind: "engine-reload" as const, line: r.line, truncated: false };
}

let dirs: TempDir[] = [];
let stores: Store[] = [];
afterEach(() => {
  for (const s of stores) s.close();
  for (const d of dirs) d.remove();
  dirs = [];
  stores = [];
});

function setup(cfg: object = {}, dir?: TempDir, startMs = T0, notifierFails = false) {
  const d = dir ?? createTempDir("steward-engine-svc-");
  if (!dir) dirs.push(d);
  const store = openStore(d.path, [engineReloadMigrations]);
  stores.push(store);
  const clock = createManualClock(startMs);
  const bus = createEventBus<DomainEvents>(createSilentLogger());
  const events: TaskEvent[] = [];
  bus.on("app.reload_failed", (e) => void events.push(e));
  bus.on("app.reload_succeeded", (e) => void events.push(e));
  // The notifier is a required subscriber: when it fails the reload stays judged, with its event, and not announced.
  if (notifierFails) bus.on("app.reload_failed", () => Promise.reject(new Error("the process died")), { required: true });
  const metrics = createMetricsRegistry();
  const svc = createEngineReloads(engineReloadsSchema().parse(cfg), { db: store.sql, bus, clock, log: createSilentLogger(), metrics, instanceId: "alpha" });
  const verdict = (v: string) => {
    const l = metrics
      .render()
      .split("\n")
      .find((x) => x.startsWith("steward_engine_reloads_total{") && x.includes(`verdict="${v}"`));
    return l ? Number(l.split(" ").at(-1)) : 0;
  };
  return { d, store, clock, svc, events, verdict };
}

test("the same reload heard twice is announced once", async () => {
  const { clock, svc, events, verdict } = setup();
  await svc.component.start();
  svc.hear(line(1, T0), "10.0.0.5");
  svc.hear(line(1, T0), "10.0.0.6");
  await clock.advance(5_000);
  await svc.settled();
  expect(events).toHaveLength(1);
  // The second copy joined the first while it settled: one reload, one claim.
  expect(verdict("alerted")).toBe(1);
  await svc.component.stop(1_000);
});

test("more reloads than the bucket holds (burst 5 at 5 a minute): the rest are dropped and counted, not written", async () => {
  const { clock, svc, events, verdict, store } = setup({ maxRunsPerMinute: 5, burst: 5 });
  await svc.component.start();
  for (let n = 1; n <= 20; n++) svc.hear(line(n, T0), "10.0.0.5");
  await clock.advance(5_000);
  await svc.settled();
  expect(events).toHaveLength(5);
  expect(verdict("dropped")).toBe(15);
  expect((await store.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM engine_reloads"))?.n).toBe(5);
  await svc.component.stop(1_000);
});

test("a page budget per app: past it a failure is listed and counted over_budget, not alerted; the bucket refills", async () => {
  const { clock, svc, events, verdict } = setup({ pageBudget: { perAppPerHour: 2 } });
  await svc.component.start();
  const same = (session: number) => {
    const r = parseEngineReload(
      `/engine-reload/;SENSE2;${app(1)};x${session};CORP;svc_etl;${stamp(clock.now())};WARN;0;AuditActivity.Engine;Command=Reload;Result=1;ResultText=Error: Reload failed`,
      16_384,
    );
    if (!r.ok) throw new Error(r.detail);
    return { kind: "engine-reload" as const, line: r.line, truncated: false };
  };
  for (let n = 1; n <= 5; n++) svc.hear(same(n), "10.0.0.5");
  await clock.advance(5_000);
  await svc.settled();
  expect(events).toHaveLength(2);
  expect(verdict("over_budget")).toBe(3);
  // Half an hour gives one page back (2 an hour).
  await clock.advance(30 * 60_000);
  svc.hear(same(6), "10.0.0.5");
  await clock.advance(5_000);
  await svc.settled();
  expect(events).toHaveLength(3);
  await svc.component.stop(1_000);
});

test("a page budget per node: past it failures of other apps on that node are listed, not alerted; another node keeps its own", async () => {
  // Each app's own budget (4 an hour) is never reached: only the node's can hold these back.
  const { clock, svc, events, verdict } = setup({ pageBudget: { perNodePerHour: 3 } });
  await svc.component.start();
  const FAILED = "Command=Reload;Result=1;ResultText=Error: Reload failed";
  for (let n = 1; n <= 6; n++) svc.hear(line(n, clock.now(), FAILED, "SENSE2"), "10.0.0.5");
  for (let n = 7; n <= 8; n++) svc.hear(line(n, clock.now(), FAILED, "SENSE3"), "10.0.0.6");
  await clock.advance(5_000);
  await svc.settled();
  expect(events).toHaveLength(5);
  expect(verdict("over_budget")).toBe(3);
  // Without QRS the node is shown as the line named it, marked unverified.
  const byNode = (node: string) => events.filter((e) => e.host === `${node} (unverified)`).length;
  expect([byNode("SENSE2"), byNode("SENSE3")]).toEqual([3, 2]);
  // Twenty minutes give the node one page back (3 an hour).
  await clock.advance(20 * 60_000);
  svc.hear(line(9, clock.now(), FAILED, "SENSE2"), "10.0.0.5");
  svc.hear(line(10, clock.now(), FAILED, "SENSE2"), "10.0.0.5");
  await clock.advance(5_000);
  await svc.settled();
  expect(byNode("SENSE2")).toBe(4);
  expect(verdict("over_budget")).toBe(4);
  await svc.component.stop(1_000);
});

test("forged successes have a page budget (issue 86): 20 success lines of one app in 2 s announce 6, of many apps the node's budget; a recovery always goes out", async () => {
  const OK = "Command=Reload;Result=0;ResultText=Success";
  const { clock, svc, events, verdict } = setup({ pageBudget: { perAppPerHour: 4 }, maxRunsPerMinute: 10_000, burst: 1_000 });
  await svc.component.start();
  const succeeded = () => events.filter((e) => e.kind === "app.reload_succeeded");
  // One app, twenty sessions within two seconds.
  for (let n = 1; n <= 20; n++) {
    const r = parseEngineReload(`/engine-reload/;SENSE2;${app(1)};ok${n};CORP;svc_etl;${stamp(clock.now())};INFO;0;AuditActivity.Engine;${OK}`, 16_384);
    if (!r.ok) throw new Error(r.detail);
    svc.hear({ kind: "engine-reload", line: r.line, truncated: false }, "10.0.0.5");
    await clock.advance(100);
  }
  await clock.advance(5_000);
  await svc.settled();
  expect(succeeded()).toHaveLength(6);
  expect(verdict("over_budget")).toBe(14);
  // A failure of that app is alerted; its next success is the recovery, announced although the app's budget is spent.
  svc.hear(line(1, clock.now()), "10.0.0.5");
  await clock.advance(5_000);
  await svc.settled();
  const r = parseEngineReload(`/engine-reload/;SENSE2;${app(1)};back;CORP;svc_etl;${stamp(clock.now())};INFO;0;AuditActivity.Engine;${OK}`, 16_384);
  if (!r.ok) throw new Error(r.detail);
  svc.hear({ kind: "engine-reload", line: r.line, truncated: false }, "10.0.0.5");
  await clock.advance(5_000);
  await svc.settled();
  expect(succeeded()).toHaveLength(7);
  // One success each of 100 apps on one node: the node's budget (60 an hour, 6 spent above, the recovery free) holds
  // the rest.
  for (let n = 100; n < 200; n++) svc.hear(line(n, clock.now(), OK), "10.0.0.5");
  await clock.advance(5_000);
  await svc.settled();
  expect(succeeded()).toHaveLength(7 + 54);
  await svc.component.stop(1_000);
});

test("a reload still settling when Steward stops is judged, not lost", async () => {
  const { svc, events } = setup();
  await svc.component.start();
  svc.hear(line(1, T0), "10.0.0.5");
  await svc.component.stop(2_000);
  expect(events).toHaveLength(1);
});

test("a reload claimed and judged but not announced (the process died) is announced at the next start", async () => {
  // As a crash between storing the event and announcing it leaves the row.
  const first = setup({}, undefined, T0, true);
  await first.svc.component.start();
  first.svc.hear(line(7, T0), "10.0.0.5");
  await first.clock.advance(5_000);
  await first.svc.settled();
  expect((await first.store.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM engine_reloads WHERE announced = 0 AND event IS NOT NULL"))?.n).toBe(1);
  await first.svc.component.stop(1_000);
  first.store.close();
  stores = stores.filter((s) => s !== first.store);
  const again = setup({}, first.d, T0 + 60_000);
  await again.svc.component.start();
  expect(again.events.map((e) => e.app?.id)).toEqual([app(7)]);
  expect((await again.store.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM engine_reloads WHERE announced = 0"))?.n).toBe(0);
  await again.svc.component.stop(1_000);
});
