// The watchdog's trigger readers against the simulator's QRS: every trigger of the default site reads, the
// computed next start equals the next fire QRS states, and a site whose chain loops shows the cycle.
import { afterEach, describe, expect, test } from "bun:test";
import { findCycles, readCompositeEvent, type ChainEdge } from "../../../src/watch/watchdog/chains";
import { nextExpectedStart, readSchemaEvent } from "../../../src/watch/watchdog/schedule";
import { startTestSim, type TestSim } from "./helpers";

let t: TestSim | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe("watchdog readers on the simulator's QRS", () => {
  test("default site: each schema trigger reads and its next start is the one QRS states", async () => {
    t = await startTestSim();
    const events = (await t.qrs.get("schemaevent/full")).json<any[]>();
    expect(events.length).toBeGreaterThanOrEqual(4);
    const now = Date.now();
    for (const e of events) {
      const r = readSchemaEvent(e);
      if (!r.ok) throw new Error(r.error);
      const stated = e.operational.nextExecution === "1753-01-01T00:00:00.000Z" ? undefined : Date.parse(e.operational.nextExecution);
      // The simulator keeps each trigger's wall-clock grid in its zone, as the Scheduler does.
      const mine = nextExpectedStart(r.trigger, now - 2_000);
      expect({ name: e.name, at: mine }).toEqual({ name: e.name, at: stated });
    }
    const edges = (await t.qrs.get("compositeevent/full")).json<any[]>().map((c) => {
      const r = readCompositeEvent(c);
      if (!r.ok) throw new Error(r.error);
      return r.edge;
    });
    expect(edges.map((e) => e.taskName).sort()).toEqual(["Reload; Sales; EMEA", "Run ERP extract script"]);
    expect(findCycles(edges)).toEqual([]);
  });

  test("a site where A waits for B and B for A shows one cycle", async () => {
    t = await startTestSim({
      site: `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: INTERNAL, userId: sa_scheduler, name: sa_scheduler }]
apps: [{ name: A, owner: INTERNAL\\sa_scheduler }, { name: B, owner: INTERNAL\\sa_scheduler }]
tasks:
  - { type: reload, name: Reload A, app: A, triggers: [{ type: composite, name: after B, rules: [{ task: Reload B }] }] }
  - { type: reload, name: Reload B, app: B, triggers: [{ type: composite, name: after A, rules: [{ task: Reload A }] }] }
`,
    });
    const edges: ChainEdge[] = (await t.qrs.get("compositeevent/full")).json<any[]>().map((c) => (readCompositeEvent(c) as { edge: ChainEdge }).edge);
    const cycles = findCycles(edges);
    expect(cycles).toHaveLength(1);
    const names = new Map(edges.map((e) => [e.taskId, e.taskName]));
    expect(cycles[0]!.map((id) => names.get(id)).sort()).toEqual(["Reload A", "Reload B"]);
  });
});
