// Issue 75, O1: the intake's overflow is bounded in bytes, not only rows. A flood of forged 16 KB Scheduler datagrams
// leaves rows that keep only the fields the processor reads (cut), within the forger's own share
// (overflowMaxBytesPerSource: a run padded past any Scheduler line's fields never borrows the room a source alone may
// use, issue 86) and overflowMaxBytes in all, the rest dropped and counted; and a node's real failure takes a place in the queue at
// once, processed while the forger's backlog still waits, instead of behind all of it. On PostgreSQL (no overflow: a
// cluster's runs are claimed in the store before they wait anywhere) the flood keeps no datagram text in the store and
// the node's failure is served in the next round of the queue as well.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { failedTaskDatagram } from "../../../../scripts/bench-udp-load";
import { forgedFailureDatagram } from "../../../../scripts/forged-datagrams";
import { readReport, ROW_BYTES_SQL } from "../../../../src/hear/intake/overflow-row";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";

const FORGER = { address: "127.0.0.3", port: 40_000 };
const NODE = { address: "127.0.0.1", port: 50_000 };
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

const metric = (text: string, name: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);

async function drained(app: TestApp["app"]): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    const text = app.metrics.render();
    if (metric(text, "steward_intake_queue_depth") + metric(text, "steward_intake_overflow_depth") + metric(text, "steward_intake_in_flight") === 0) break;
    await Bun.sleep(10);
  }
  await app.intake.settled();
}

describe("the overflow bounded in bytes", () => {
  test("a flood of forged 16 KB datagrams: rows keep the cut fields only, within the source's share and the total; the rest dropped and counted", async () => {
    t = createTestApp("intake:\n  queueSize: 5\n  concurrency: 1\n  overflowMaxBytes: 1048576\n  overflowMaxBytesPerSource: 262144\n");
    await t.app.start();
    const { intake } = t.app;
    // Slow workers would be the usual case; here the flood is one turn of the event loop, faster than any worker.
    for (let i = 0; i < 3_000; i++) intake.handleDatagram(forgedFailureDatagram(i, 7), FORGER);
    const sourceFull = () => metric(t!.app.metrics.render(), 'steward_intake_dropped_total{reason="source_full",outcome="failed"}');
    const text = t.app.metrics.render();
    const waiting = metric(text, "steward_intake_overflow_depth");
    // The forger alone, its runs padded: its own share only (not the total less one share, as a node's burst may use);
    // one run in the worker and five queued.
    expect(metric(text, "steward_intake_overflow_bytes")).toBeLessThanOrEqual(262_144);
    expect(metric(text, "steward_intake_overflow_bytes")).toBeGreaterThan(262_144 - 3_000);
    expect(sourceFull()).toBe(3_000 - 6 - waiting);
    // Another sender still gets in (in the same turn, the queue still full of the forger's runs): its run takes the
    // place of the forger's newest queued run, which cannot wait in the forger's full share and is dropped and counted.
    const real = /;WARN;([^;]+);/.exec(failedTaskDatagram(1, 6969).toString())![1]!.toLowerCase();
    const emitted: string[] = [];
    t.app.bus.on("task.failed", (e) => void emitted.push(e.executionId));
    intake.handleDatagram(failedTaskDatagram(1, 6969), NODE);
    expect(sourceFull()).toBe(3_000 - 6 - waiting + 1);
    await t.app.store.sql.get("SELECT 1 AS x");
    const rows = await t.app.store.sql.all<{ report: string; bytes: number }>(`SELECT report, ${ROW_BYTES_SQL} AS bytes FROM intake_overflow`);
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.length).toBeLessThanOrEqual(waiting);
    // The 16 KB of each datagram is not kept: the longest row is a few KB.
    expect(Math.max(...rows.map((r) => r.report.length))).toBeLessThan(3_000);
    expect(Object.keys(readReport(rows[0]!.report)).sort()).toEqual(
      ["appId", "appName", "executionId", "host", "logLevel", "logMessage", "logTimestamp", "outcome", "source", "taskId", "taskName", "user"].sort(),
    );
    expect(rows.reduce((n, r) => n + Number(r.bytes), 0)).toBeLessThanOrEqual(262_144);
    await drained(t.app);
    expect(emitted).toContain(real);
    expect(sourceFull()).toBe(3_000 - 6 - waiting + 1);
  });

  test("a source alone borrows room past its share for Scheduler-sized runs only: a padded one is refused there", async () => {
    t = createTestApp("intake:\n  queueSize: 5\n  concurrency: 1\n  overflowMaxBytes: 1048576\n  overflowMaxBytesPerSource: 262144\n");
    await t.app.start();
    const { intake } = t.app;
    const dropped = () => metric(t!.app.metrics.render(), "steward_intake_dropped_total");
    // 1,000 runs of about 440 bytes: past the node's own 256 KiB, within what it may use alone.
    for (let i = 0; i < 1_000; i++) intake.handleDatagram(failedTaskDatagram(i, 7001), NODE);
    expect(dropped()).toBe(0);
    expect(metric(t.app.metrics.render(), "steward_intake_overflow_bytes")).toBeGreaterThan(262_144);
    // A padded run from the same address waits only within that share, which is full: dropped and counted.
    intake.handleDatagram(forgedFailureDatagram(1, 7002), NODE);
    expect(metric(t.app.metrics.render(), 'steward_intake_dropped_total{reason="source_full",outcome="failed"}')).toBe(1);
    // A Scheduler-sized run after it still waits.
    intake.handleDatagram(failedTaskDatagram(1_000, 7001), NODE);
    expect(dropped()).toBe(1);
    await drained(t.app);
    expect(intake.counters.emitted.get({ kind: "task.failed", source: "udp" })).toBe(1_001);
  });

  test("a node's real failure is processed while the forger's backlog still waits in the overflow", { timeout: 60_000 }, async () => {
    t = createTestApp("intake:\n  queueSize: 10\n  concurrency: 1\n");
    await t.app.start();
    const { intake } = t.app;
    const real = /;WARN;([^;]+);/.exec(failedTaskDatagram(1, 6969).toString())![1]!.toLowerCase();
    let waitingWhenReal = -1;
    let forgedBefore = 0;
    t.app.bus.on("task.failed", (e) => {
      if (e.executionId === real)
        waitingWhenReal = intake.counters.overflowed.get() > 0 ? Number(metric(t!.app.metrics.render(), "steward_intake_overflow_depth")) : -1;
      else if (waitingWhenReal < 0) forgedBefore++;
    });
    for (let i = 0; i < 1_000; i++) intake.handleDatagram(forgedFailureDatagram(i, 8, 600), FORGER);
    // The real failure comes last, from the node.
    intake.handleDatagram(failedTaskDatagram(1, 6969), NODE);
    await drained(t.app);
    expect(intake.counters.emitted.get({ kind: "task.failed", source: "udp" })).toBe(1_001);
    // It took a place in the queue at once, served in the next round: behind the run in the worker and one more.
    expect(forgedBefore).toBeLessThanOrEqual(3);
    expect(waitingWhenReal).toBeGreaterThan(900);
  });
});

describe("the same flood on PostgreSQL", () => {
  test("no overflow row and no datagram text kept; the node's failure is served in the next round of the queue", { timeout: 120_000 }, async () => {
    pg ??= await startPostgres();
    const url = await pg.createDatabase("overflow_bounds");
    t = createTestApp(`store:\n  postgres:\n    url: ${url}\nintake:\n  queueSize: 10\n  concurrency: 1\n`);
    await t.app.start();
    const { intake } = t.app;
    const real = /;WARN;([^;]+);/.exec(failedTaskDatagram(1, 6969).toString())![1]!.toLowerCase();
    let forgedBefore = -1;
    let forged = 0;
    t.app.bus.on("task.failed", (e) => {
      if (e.executionId === real) forgedBefore = forged;
      else forged++;
    });
    for (let i = 0; i < 1_000; i++) intake.handleDatagram(forgedFailureDatagram(i, 10), FORGER);
    intake.handleDatagram(failedTaskDatagram(1, 6969), NODE);
    await drained(t.app);
    expect(forgedBefore).toBeGreaterThanOrEqual(0);
    expect(forgedBefore).toBeLessThanOrEqual(3);
    const sql = t.app.store.sql;
    expect(Number((await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM intake_overflow"))?.n)).toBe(0);
    // What the intake keeps of a run is its key and claim: no text of the 16 KB datagrams.
    const longest = await sql.get<{ n: number | null }>("SELECT MAX(LENGTH(key)) AS n FROM intake_seen");
    expect(Number(longest?.n ?? 0)).toBeLessThan(200);
    const text = t.app.metrics.render();
    expect(metric(text, "steward_intake_dropped_total")).toBeGreaterThan(900);
  });
});
