// The claim-and-mark path of a queued run, with the real run processor on a SQLite store: a run is claimed once,
// when first asked; one Steward of those sharing the store gets it; the worker processes a run it holds and its seen
// mark commits; a run another Steward holds is a duplicate; a run that will not be processed gives its claim up.
// (A claim the store could not take is tried again: test/integration/platform/cluster/claim-retry.test.ts, on PostgreSQL.)
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createRunClaims, type RunClaims } from "../../../../src/hear/intake/run-claims";
import type { QueueItem } from "../../../../src/hear/intake/run-queue";
import { intakeParts, runItem, T0, type IntakeParts } from "./intake-parts";

let parts: IntakeParts;
let claims: RunClaims;
let duplicates: Array<[string, string]>;
let requeued: QueueItem[];

beforeEach(() => {
  parts = intakeParts("steward-a");
  duplicates = [];
  requeued = [];
  claims = createRunClaims({
    processor: parts.processor,
    log: parts.log,
    requeue: (item) => {
      requeued.push(item);
      return true;
    },
    stopping: () => false,
    duplicate: (item, why) => void duplicates.push([item.key, why]),
  });
});
afterEach(() => parts.close());

describe("run claims", () => {
  test("a run is claimed once, when first asked, and only one Steward on the store gets it", async () => {
    const item = runItem("failed");
    expect(parts.processor.reserve(item.key, item.report.executionId)).toBe(true);
    const first = claims.claimOf(item);
    expect(claims.claimOf(item)).toBe(first);
    expect(await first).toBe(true);
    const other = parts.processorOf("steward-b");
    expect(other.reserve(item.key, item.report.executionId)).toBe(true);
    expect(await other.claimStored(item.key, item.report.executionId, "udp")).toBe(false);
  });

  test("the worker processes a run it holds and its seen mark commits; a run another Steward holds is a duplicate", async () => {
    const mine = runItem("failed");
    parts.processor.reserve(mine.key, mine.report.executionId);
    await claims.work(mine);
    expect(parts.events.map((e) => e.executionId)).toEqual([mine.report.executionId]);
    await parts.processor.marksSettled();
    expect(await parts.store.isSeen(mine.key, T0)).toBe(true);

    const theirs = runItem("failed");
    const other = parts.processorOf("steward-b");
    other.reserve(theirs.key, theirs.report.executionId);
    expect(await other.claimStored(theirs.key, theirs.report.executionId, "udp")).toBe(true);
    parts.processor.reserve(theirs.key, theirs.report.executionId);
    await claims.work(theirs);
    expect(duplicates).toEqual([[theirs.key, "run already handled or claimed by another Steward"]]);
    expect(parts.events).toHaveLength(1);
  });

  test("a run that will not be processed gives its claim up and its reservation goes when that is committed", async () => {
    const shed = runItem("succeeded");
    parts.processor.reserve(shed.key, shed.report.executionId);
    expect(await claims.claimOf(shed)).toBe(true);
    claims.abandonInBackground(shed);
    // Until the give-up is committed, a repeat here is still a duplicate.
    expect(parts.processor.reserve(shed.key, shed.report.executionId)).toBe(false);
    await claims.settled();
    expect(parts.processor.reserve(shed.key, shed.report.executionId)).toBe(true);
    const other = parts.processorOf("steward-b");
    other.reserve(shed.key, shed.report.executionId);
    expect(await other.claimStored(shed.key, shed.report.executionId, "udp")).toBe(true);

    // Never claimed (a distribution notice, or shed before its claim started): only the reservation goes.
    const unclaimed = runItem("succeeded");
    parts.processor.reserve(unclaimed.key, unclaimed.report.executionId);
    await claims.abandon(unclaimed);
    expect(parts.processor.reserve(unclaimed.key, unclaimed.report.executionId)).toBe(true);
    expect(claims.retrying()).toBe(0);
    expect(requeued).toEqual([]);
  });
});
