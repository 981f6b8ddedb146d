// The node reachability read against the simulator's QRS (servicestatus/full) on a manual clock: a Scheduler that
// cannot be reached for 2 minutes raises one service.stopped, a shorter blip none, its return one service.started;
// a QRS that does not answer is the Repository of qlik.host unreachable; a QRS that refuses Steward (403) is not an
// outage; what was raised survives a new monitor on the same store (a restart, another Steward taking the duty).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { z } from "zod";
import { GroupingSchema } from "../../../../src/tell/grouping/config";
import { QlikSchema } from "../../../../src/platform/qlik/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { ServiceEvent } from "../../../../src/platform/events/types";
import { createQrsClient, type QrsClient } from "../../../../src/platform/qlik";
import { startSimulator, type Simulator } from "../../../../src/sim";
import { createNodeReachability, watchedFilter } from "../../../../src/watch/site-monitor/node-reachability";
import { createMonitorState, siteMonitorMigrations } from "../../../../src/watch/site-monitor/state";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { simControl } from "../../../helpers/sim-control";
import { sqliteBackend } from "../../../helpers/sql-backends";
import { createTempDir } from "../../../helpers/temp-dir";
import { simCertDir } from "../../../helpers/sim-certs";

const START = Date.parse("2026-03-10T00:00:00Z");
const SEC = 1_000;
const tmp = createTempDir("steward-node-reach-");
const backend = sqliteBackend();
const clock = createManualClock(START);
let sim: Simulator;
let qrs: QrsClient;
let db: SqlDb;
let reload01 = "";
let reload01Host = "";

const cfg = GroupingSchema.parse({ nodeDown: { unreachable: { enabled: true } } }).nodeDown.unreachable;

beforeAll(async () => {
  sim = await startSimulator({ certDir: simCertDir(join(tmp.path, "certs")), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
  const q = QlikSchema.parse({ host: "127.0.0.1", qrsPort: sim.ports.qrs, certDir: sim.certDir, timeoutMs: 3000, retries: 0 });
  qrs = createQrsClient(q, { log: createSilentLogger(), clock, baseDir: tmp.path });
  db = await backend.open([siteMonitorMigrations]);
  const nodes = (await qrs.getJson("servernodeconfiguration/full", GroupingNodes)) as Array<{ name: string; hostName: string; isCentral: boolean }>;
  reload01 = nodes.find((n) => !n.isCentral)!.name;
  reload01Host = nodes.find((n) => !n.isCentral)!.hostName;
});

afterAll(async () => {
  qrs?.close();
  await sim?.stop();
  await backend.shutdown();
  tmp.remove();
});

const GroupingNodes = z.array(z.object({ name: z.string(), hostName: z.string(), isCentral: z.boolean() }));

function monitor() {
  const raised: ServiceEvent[] = [];
  const m = createNodeReachability(cfg, {
    qrs,
    host: "127.0.0.1",
    clock,
    state: createMonitorState(db, clock.now),
    emit: async (e) => void raised.push(e),
  });
  /** Reads every 30 s from now for `ms`, as the periodic run would. */
  const readFor = async (ms: number) => {
    for (let t = 0; t < ms; t += 30 * SEC) {
      await m.check();
      clock.advance(30 * SEC);
    }
  };
  return { m, raised, readFor };
}

const summary = (es: ServiceEvent[]) => es.map((e) => `${e.kind} ${e.service.name} ${e.state}`);

test("the simulator's QRS lists each node's services, Running until one is taken down", async () => {
  const rows = (await qrs.getJson("servicestatus/full", z.array(z.any()))) as Array<{ serviceType: number; serviceState: number }>;
  expect(rows.length).toBeGreaterThanOrEqual(8);
  expect(new Set(rows.map((r) => r.serviceState))).toEqual(new Set([2]));
});

test("a Scheduler blip of 90 seconds raises nothing; down for 2 minutes, one service.stopped; back, one service.started", async () => {
  const { raised, readFor } = monitor();
  await simControl(sim, "POST", `/nodes/${reload01}/services/scheduler/down`);
  await readFor(90 * SEC);
  await simControl(sim, "POST", `/nodes/${reload01}/services/scheduler/up`);
  await readFor(5 * 60 * SEC);
  expect(raised).toEqual([]);

  await simControl(sim, "POST", `/nodes/${reload01}/services/scheduler/down`);
  await readFor(10 * 60 * SEC);
  expect(summary(raised)).toEqual(["service.stopped QlikSenseSchedulerService UNREACHABLE"]);
  expect(raised[0]!.host).toBe(reload01Host);
  await simControl(sim, "POST", `/nodes/${reload01}/services/scheduler/up`);
  await readFor(60 * SEC);
  expect(summary(raised)).toEqual(["service.stopped QlikSenseSchedulerService UNREACHABLE", "service.started QlikSenseSchedulerService RUNNING"]);
});

test("a service not watched (the engine, by default) raises nothing", async () => {
  const { raised, readFor } = monitor();
  await simControl(sim, "POST", `/nodes/${reload01}/services/engine/down`);
  await readFor(5 * 60 * SEC);
  await simControl(sim, "POST", `/nodes/${reload01}/services/engine/up`);
  expect(raised).toEqual([]);
});

test("a read asks QRS for the watched services' rows only (Repository and Scheduler by default), every service when all are watched", async () => {
  const reads = () => sim.requests.list({ source: "qrs", pathContains: "servicestatus" });
  const before = reads().length;
  await monitor().m.check();
  const [read] = reads().slice(before);
  expect(read?.query.filter).toBe("serviceType eq 0 or serviceType eq 2");
  // Two of the services of each node: the rows the read dropped before were read for nothing.
  const Rows = z.array(z.object({ serviceType: z.number() }));
  const all = (await qrs.getJson("servicestatus/full", Rows)).map((r) => r.serviceType);
  const types = (await qrs.getJson("servicestatus/full", Rows, { filter: read!.query.filter })).map((r) => r.serviceType);
  expect(types).toEqual(all.filter((t) => t === 0 || t === 2));
  expect(read?.responseItems).toBe(types.length);
  expect(types.length).toBeLessThan(all.length);
  expect(watchedFilter(["repository", "scheduler", "engine", "proxy", "printing"])).toBeUndefined();
  expect(watchedFilter(["engine"])).toBe("serviceType eq 3");
  // The simulator answers a filter it cannot parse as QRS does.
  await expect(qrs.getJson("servicestatus/full", z.array(z.any()), { filter: "serviceType eq" })).rejects.toThrow(/400/);
});

test("QRS not answering is the Repository of qlik.host unreachable; what was raised survives a new monitor (a restart)", async () => {
  const first = monitor();
  await simControl(sim, "POST", "/listeners/qrs/down");
  await first.readFor(3 * 60 * SEC);
  expect(summary(first.raised)).toEqual(["service.stopped QlikSenseRepositoryService UNREACHABLE"]);
  expect(first.raised[0]!.host).toBe("127.0.0.1");
  // Steward restarts while QRS is still down: the new monitor does not page again, and announces the return.
  const second = monitor();
  await second.readFor(5 * 60 * SEC);
  await simControl(sim, "POST", "/listeners/qrs/up");
  await second.readFor(30 * SEC);
  expect(summary(second.raised)).toEqual(["service.started QlikSenseRepositoryService RUNNING"]);
});

test("QRS refusing Steward (403) is a set-up problem, not an outage: the read fails, nothing is raised", async () => {
  const { m, raised } = monitor();
  await simControl(sim, "POST", "/faults", { target: "qrs", pathContains: "servicestatus", status: 403, count: 20 });
  for (let i = 0; i < 8; i++) {
    await expect(m.check()).rejects.toThrow(/403/);
    clock.advance(30 * SEC);
  }
  await simControl(sim, "DELETE", "/faults");
  expect(raised).toEqual([]);
});
