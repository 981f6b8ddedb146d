// The intake's overflow (src/hear/intake/overflow.ts): a burst beyond the queue waits in the store and is worked off
// in arrival order instead of being dropped; beyond intake.overflowSize runs are dropped and counted as before; a
// repeat of a waiting run is a duplicate; runs waiting in the store when Steward is killed are processed after the
// restart; and a run refused beyond the overflow is announced by reconciliation with QRS.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createUdpSender, failedTaskDatagram } from "../../../../scripts/bench-udp-load";
import { STORE_FILE } from "../../../../src/platform/store/database";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { freeTcpPorts, freeUdpPort } from "../../../helpers/free-port";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor, waitForHttp } from "../../../helpers/wait-for";
import { IDS, startHarness } from "./harness";

const REPO = join(import.meta.dir, "../../../..");
const FROM = { address: "127.0.0.1", port: 50_000 };
const RUN = 6969;
let t: TestApp | undefined;
const running: RunningProcess[] = [];
const dir = createTempDir("steward-overflow-");
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(async () => {
  for (const p of running) await p.stop("SIGKILL", 1000);
  dir.remove();
});

const metric = (text: string, name: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);

/** Waits until the queue and the overflow are empty, nothing is in flight and every store write is committed. */
async function drained(app: TestApp["app"]): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    const text = app.metrics.render();
    if (metric(text, "steward_intake_queue_depth") + metric(text, "steward_intake_overflow_depth") + metric(text, "steward_intake_in_flight") === 0) break;
    await Bun.sleep(10);
  }
  await app.intake.settled();
  await app.store.sql.get("SELECT 1 AS x");
}

const stored = (db: DatabaseSync, sql: string) => (db.prepare(sql).all() as Array<{ key: string }>).map((r) => r.key);

describe("intake overflow", () => {
  test("a burst beyond the queue waits in the store and every run of it is processed, in arrival order", async () => {
    t = createTestApp("intake:\n  queueSize: 5\n  concurrency: 1\n");
    await t.app.start();
    const { intake } = t.app;
    const order: string[] = [];
    t.app.bus.on("task.failed", (e) => void order.push(e.executionId));
    // One turn of the event loop: one run in the worker, five queued, the rest in the overflow.
    for (let i = 0; i < 200; i++) intake.handleDatagram(failedTaskDatagram(i, RUN), FROM);
    await drained(t.app);
    expect(intake.counters.overflowed.get()).toBe(194);
    const text = t.app.metrics.render();
    expect({
      emitted: intake.counters.emitted.get({ kind: "task.failed", source: "udp" }),
      dropped: metric(text, "steward_intake_dropped_total"),
      seen: stored(t.app.store.db, "SELECT key FROM intake_seen").length,
      waiting: stored(t.app.store.db, "SELECT key FROM intake_overflow").length,
    }).toEqual({ emitted: 200, dropped: 0, seen: 200, waiting: 0 });
    // Taken from the store oldest first: the runs after the first six come in the order they were sent.
    const expected = Array.from({ length: 200 }, (_, i) => /;WARN;([^;]+);/.exec(failedTaskDatagram(i, RUN).toString())![1]!.toLowerCase());
    expect(order.slice(6)).toEqual(expected.slice(6));
  });

  test("beyond overflowSize a run is dropped and counted; a repeat of a waiting run is a duplicate", async () => {
    t = createTestApp("intake:\n  queueSize: 2\n  overflowSize: 10\n  concurrency: 1\n");
    await t.app.start();
    const { intake } = t.app;
    // One run in the worker, two queued, five waiting in the store.
    for (let i = 0; i < 8; i++) intake.handleDatagram(failedTaskDatagram(i, RUN), FROM);
    // Run 5 waits in the store: its repeat is found there once both rows reach it (the repeat holds its place until then).
    intake.handleDatagram(failedTaskDatagram(5, RUN), FROM);
    // Four more fill the overflow (ten places), the other eight are refused.
    for (let i = 8; i < 20; i++) intake.handleDatagram(failedTaskDatagram(i, RUN), FROM);
    await drained(t.app);
    const text = t.app.metrics.render();
    expect({
      emitted: intake.counters.emitted.get({ kind: "task.failed", source: "udp" }),
      overflowed: intake.counters.overflowed.get(),
      queueFull: metric(text, 'steward_intake_dropped_total{reason="queue_full",outcome="failed"}'),
      duplicates: intake.counters.deduplicated.get({ source: "udp" }),
    }).toEqual({ emitted: 12, overflowed: 9, queueFull: 8, duplicates: 1 });
  });

  test("runs waiting in the store when Steward is killed are processed after the restart", { timeout: 120_000 }, async () => {
    const [httpPort] = await freeTcpPorts(1);
    const udpPort = await freeUdpPort();
    const base = `http://127.0.0.1:${httpPort}`;
    const config = join(dir.path, "steward.yaml");
    writeFileSync(
      config,
      `dataDir: ./data\nlogging: { level: warn }\nhttp: { host: 127.0.0.1, port: ${httpPort} }\nudp: { host: 127.0.0.1, port: ${udpPort} }\nintake: { queueSize: 1, concurrency: 1 }\n`,
    );
    const start = () => {
      const p = startProcess(process.execPath, ["src/main.ts", "run", "--config", config, "--log-format", "json"], { cwd: REPO });
      running.push(p);
      return p;
    };
    const first = start();
    await waitForHttp(`${base}/ready`, { timeoutMs: 30_000 });
    const sender = await createUdpSender(udpPort);
    await sender.burst(3_000);
    sender.close();
    // Killed once most of the burst waits in the store (each run takes its worker a while: they cannot all be done).
    for (let i = 0; i < 2000; i++) {
      if (metric(await (await fetch(`${base}/metrics`)).text(), "steward_intake_overflowed_total") >= 1_000) break;
      await Bun.sleep(5);
    }
    process.kill(first.pid, "SIGKILL");
    await first.exited;

    const file = join(dir.path, "data", STORE_FILE);
    let db = new DatabaseSync(file, { readOnly: true });
    const waiting = stored(db, "SELECT key FROM intake_overflow");
    db.close();
    expect(waiting.length).toBeGreaterThan(100);

    const second = start();
    await waitForHttp(`${base}/ready`, { timeoutMs: 30_000 });
    for (let i = 0; i < 3000; i++) {
      const text = await (await fetch(`${base}/metrics`)).text();
      if (metric(text, "steward_intake_overflow_depth") + metric(text, "steward_intake_queue_depth") + metric(text, "steward_intake_in_flight") === 0) break;
      await Bun.sleep(20);
    }
    await second.stop("SIGTERM", 10_000);
    db = new DatabaseSync(file, { readOnly: true });
    try {
      const seen = new Set(stored(db, "SELECT key FROM intake_seen"));
      expect({ notProcessed: waiting.filter((k) => !seen.has(k)), left: stored(db, "SELECT key FROM intake_overflow").length }).toEqual({
        notProcessed: [],
        left: 0,
      });
    } finally {
      db.close();
    }
  });
});

describe("beyond the overflow", () => {
  test("a run refused when the queue and its overflow are full is announced by reconciliation, once", { timeout: 60_000 }, async () => {
    const tmp = createTempDir();
    const h = await startHarness({ dir: tmp.path, intake: { queueSize: 1, overflowSize: 1, concurrency: 1 } });
    try {
      await h.startPassEnded();
      // Slow QRS: the one worker stays on the first run while the other datagrams arrive.
      h.sim.faults.add({ target: "qrs", pathContains: "task/full", delayMs: 1_500, count: 1 }, Date.now());
      // Four runs end together: one in the worker, one queued, one in the overflow, one refused.
      const execs = [IDS.reload, IDS.externalProgram, IDS.userSync, IDS.preload].map((task) => h.run(task, "fail"));
      await waitFor(async () => (await h.metric("steward_intake_dropped_total", { reason: "queue_full" })) === 1, { what: "one run refused" });
      await waitFor(async () => (await h.metric("steward_intake_events_emitted_total", { kind: "task.failed", source: "udp" })) === 3, {
        timeoutMs: 20_000,
        what: "the three kept runs announced",
      });
      expect(await h.metric("steward_intake_overflowed_total")).toBe(1);
      const pass = await h.t.app.intake.reconciler!.runOnce();
      expect(pass?.emitted).toBe(1);
      const refused = execs.find((x) => h.events.find((e) => e.executionId === x)?.source === "reconcile");
      expect(refused).toBeDefined();
      expect(execs.map((x) => h.events.filter((e) => e.executionId === x && e.kind === "task.failed").length)).toEqual([1, 1, 1, 1]);
    } finally {
      await h.close();
      tmp.remove();
    }
  });
});
