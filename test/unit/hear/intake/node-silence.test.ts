// The node-silence judge on a real store: the node's short name joins a datagram's host and QRS's node name; a
// flood of forged host names writes a bounded number of rows; a run excused or older than the start counts nothing.
import { afterAll, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { SiteEvent } from "../../../../src/platform/events/types";
import { createNodeSilence, MAX_NODES, nodeKey, nodeSilenceMigrations } from "../../../../src/hear/intake/node-silence";
import { sqliteBackend } from "../../../helpers/sql-backends";

const backend = sqliteBackend();
afterAll(() => backend.shutdown());
const cfg = { enabled: true, minRuns: 2, windowMinutes: 60 };
const T0 = Date.parse("2026-11-24T18:00:00Z");

async function judge() {
  const db = await backend.open([nodeSilenceMigrations]);
  const clock = createManualClock(T0);
  const events: SiteEvent[] = [];
  const silence = createNodeSilence(cfg, {
    db,
    clock,
    log: createSilentLogger(),
    emit: (e) => events.push(e),
    formatTime: (ms) => `t${(ms - T0) / 60_000}`,
    udpPort: 9998,
  });
  silence.start();
  return { db, clock, events, silence };
}

test("a datagram's short host name and QRS's full node name are one node", () => {
  expect(nodeKey("SENSE2")).toBe("sense2");
  expect(nodeKey("sense2.corp.example")).toBe("sense2");
  expect(nodeKey(" sense2.corp.example ")).toBe("sense2");
});

test("two unheard runs: silent once, with the node and the times in the site's words; a datagram ends it once", async () => {
  const { clock, events, silence } = await judge();
  await clock.advance(5 * 60_000);
  silence.reconciled("sense2.corp.example", "e1", clock.now() - 60_000, false);
  await silence.settled();
  expect(events).toEqual([]);
  silence.reconciled("sense2.corp.example", "e2", clock.now(), false);
  silence.reconciled("sense2.corp.example", "e3", clock.now(), false);
  await silence.settled();
  expect(events.map((e) => [e.kind, e.data.node, e.data.runs])).toEqual([["intake.node_silent", "sense2.corp.example", 2]]);
  expect(events[0]!.summary).toStartWith("Since t4, 2 runs on sense2.corp.example reached Steward only from QRS");
  silence.heard("SENSE2");
  silence.heard("sense2");
  await silence.settled();
  expect(events.map((e) => e.kind)).toEqual(["intake.node_silent", "intake.node_recovered"]);
});

test("excused runs and runs that ended before the start count nothing", async () => {
  const { clock, events, silence } = await judge();
  await clock.advance(60_000);
  silence.reconciled("sense3", "x1", T0 - 1, false);
  silence.reconciled("sense3", "x2", T0 - 2, false);
  silence.reconciled("sense3", "x3", clock.now(), true);
  silence.reconciled("sense3", "x4", clock.now(), true);
  await silence.settled();
  expect(events).toEqual([]);
});

test("forged host names: the store holds at most MAX_NODES nodes", async () => {
  const { db, silence } = await judge();
  for (let i = 0; i < MAX_NODES * 4; i++) silence.heard(`forged-${i}`);
  await silence.settled();
  const row = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM intake_nodes");
  expect(Number(row!.n)).toBe(MAX_NODES);
});
