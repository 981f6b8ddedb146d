// The trigger corpus (test/fixtures/qmc/trigger-corpus.ts: definitions from Qlik's documentation and public tools,
// each with its source) against both of Steward's trigger implementations: the watchdog's (src/platform/core) and the simulated
// Scheduler's (src/sim/scheduler-clock), written apart (issue 59). A failure names the entry, its source and the times.
import { describe, expect, test } from "bun:test";
import { nextQmcFire } from "../../../../src/platform/core/qmc-schedule";
import { readQmcSchedule } from "../../../../src/platform/core/qmc-trigger-read";
import { simNextFire } from "../../../../src/sim/scheduler-clock";
import { TRIGGER_CORPUS } from "../../../fixtures/qmc/trigger-corpus";

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

describe("the trigger corpus", () => {
  test("has entries from Qlik's own documentation and from public tools, each naming its source", () => {
    expect(TRIGGER_CORPUS.filter((e) => e.source.startsWith("https://help.qlik.com/")).length).toBeGreaterThanOrEqual(3);
    expect(TRIGGER_CORPUS.filter((e) => /^[\w-]+\/[\w-]+[:@]/.test(e.source)).length).toBeGreaterThanOrEqual(3);
    for (const e of TRIGGER_CORPUS) expect(e.cases.length).toBeGreaterThan(0);
  });

  for (const e of TRIGGER_CORPUS) {
    test(`${e.id}: Steward's reading (src/platform/core) and the simulator's (src/sim) give the times`, () => {
      const read = readQmcSchedule(e.trigger);
      const got = e.cases.map((c) => {
        const after = Date.parse(c.afterUtc);
        const steward = read.ok ? iso(nextQmcFire(read.schedule, after)) : `unreadable: ${read.error}`;
        const s = simNextFire(e.trigger, after);
        const sim = s.ok ? iso(s.next) : `unreadable: ${s.reason}`;
        return `after ${c.afterUtc} (${c.basis}): Steward ${steward}, simulator ${sim}`;
      });
      const want = e.cases.map((c) => `after ${c.afterUtc} (${c.basis}): Steward ${c.expectNextUtc}, simulator ${c.expectNextUtc}`);
      expect(`${e.id} from ${e.source}\n${got.join("\n")}`).toBe(`${e.id} from ${e.source}\n${want.join("\n")}`);
    });
  }
});
