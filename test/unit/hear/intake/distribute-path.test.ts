// The distribute path, with the real poller on a SQLite store: a distribution notice becomes a pending poll (its
// claim), a second notice of the same run is a duplicate, and one past the per-source or overall limit is
// counted and logged with the limits; the run's reservation goes in every case.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createDistributePath } from "../../../../src/hear/intake/distribute-path";
import { createDistributePoller, distributeKey } from "../../../../src/hear/intake/distribute-poller";
import type { QueueItem } from "../../../../src/hear/intake/run-queue";
import { intakeParts, runItem, type IntakeParts } from "./intake-parts";

let parts: IntakeParts;
let handle: (item: QueueItem) => Promise<void>;
let duplicates: Array<[string, string]>;
let warnings: Array<{ key: string; fields: Record<string, unknown>; msg: string }>;

/** A distribution notice from `source`, reserved as the datagram path reserves it. */
function notice(source: string): QueueItem {
  const item = runItem("succeeded", { distribute: true });
  item.key = distributeKey(item.report.executionId);
  item.source = source;
  expect(parts.processor.reserve(item.key, item.report.executionId)).toBe(true);
  return item;
}

beforeEach(() => {
  parts = intakeParts();
  duplicates = [];
  warnings = [];
  const poller = createDistributePoller(
    { pollIntervalMs: 60_000, maxWaitMs: 600_000, lookupTimeoutMs: 1_000, maxPending: 3, maxPendingPerSource: 2, confirmWithinMs: 60_000 },
    { store: parts.store, processor: parts.processor, clock: parts.clock, log: parts.log },
  );
  handle = createDistributePath({
    poller,
    processor: parts.processor,
    counters: parts.counters,
    warnOnce: (key, fields, msg) => void warnings.push({ key, fields, msg }),
    limits: { maxPending: 3, maxPendingPerSource: 2 },
    duplicate: (item, why) => void duplicates.push([item.key, why]),
  });
});
afterEach(() => parts.close());

describe("distribute path", () => {
  test("a notice becomes a pending poll; the same run again is a duplicate; reservations go either way", async () => {
    const first = notice("10.0.0.5");
    await handle(first);
    expect((await parts.store.listPending()).map((p) => p.executionId)).toEqual([first.report.executionId]);
    expect(parts.processor.reserve(first.key, first.report.executionId)).toBe(true);
    parts.processor.release(first.key);
    parts.processor.reserve(first.key, first.report.executionId);
    await handle({ ...first });
    expect(duplicates).toEqual([[first.key, "distribute run already waits for its poll"]]);
    expect(await parts.store.pendingCount()).toBe(1);
  });

  test("past the per-source and the overall limit a notice is refused, counted by reason and logged with the limits", async () => {
    await handle(notice("10.0.0.5"));
    await handle(notice("10.0.0.5"));
    const third = notice("10.0.0.5");
    await handle(third);
    expect(parts.counters.distributeRefused.get({ reason: "source_full" })).toBe(1);
    expect(warnings).toEqual([
      {
        key: "distribute|source_full|10.0.0.5",
        fields: { source: "10.0.0.5", executionId: third.report.executionId, reason: "source_full", maxPending: 3, maxPendingPerSource: 2 },
        msg: "distribution announcement not polled: too many pending; reconciliation will pick a real run up from QRS",
      },
    ]);
    expect(parts.processor.reserve(third.key, third.report.executionId)).toBe(true);
    await handle(notice("10.0.0.6"));
    await handle(notice("10.0.0.7"));
    expect(parts.counters.distributeRefused.get({ reason: "full" })).toBe(1);
    expect(warnings[1]?.key).toBe("distribute|full|");
    expect(await parts.store.pendingCount()).toBe(3);
  });
});
