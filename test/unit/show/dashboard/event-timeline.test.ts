// The timeline's memory: the newest `max` entries, newest first, whether the events came one by one past `max` or
// were read from the history at start (issue 89: kept in a circular buffer, not moved at every event).
import { describe, expect, test } from "bun:test";
import { createEventBus } from "../../../../src/platform/core/bus";
import type { DomainEvent, DomainEvents } from "../../../../src/platform/events/types";
import type { EventHistory, StoredEvent } from "../../../../src/show/dashboard/event-history";
import { createEventTimeline } from "../../../../src/show/dashboard/event-timeline";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createSilentLogger } from "../../../../src/platform/core/logger";

const named = (name: string) => syntheticTaskEvent({ outcome: "failed", taskName: name });
const names = (entries: Array<{ event: DomainEvent }>) => entries.map((e) => (e.event as { task: { name: string } }).task.name);

describe("event timeline", () => {
  test("keeps the newest max entries, newest first, past several turns of its buffer", async () => {
    const bus = createEventBus<DomainEvents>(createSilentLogger());
    let t = 1_000;
    const timeline = createEventTimeline(bus, { max: 3, now: () => t });
    await timeline.start();
    for (let i = 0; i < 8; i++) {
      t += 10;
      await bus.emit("task.failed", named(`T${i}`));
      expect(names(timeline.entries())).toEqual(Array.from({ length: Math.min(3, i + 1) }, (_, k) => `T${i - k}`));
    }
    expect(names(timeline.entries(2))).toEqual(["T7", "T6"]);
    expect(timeline.entries().map((e) => e.seq)).toEqual([8, 7, 6]);
    expect(names([timeline.get(6)!])).toEqual(["T5"]);
    expect(timeline.get(5)).toBeUndefined();
    expect(timeline.countsSince(1_070)).toEqual({ "task.failed": 2 });
    await timeline.stop(1_000);
  });

  test("entries read from the history at start come before the new ones, in order", async () => {
    const bus = createEventBus<DomainEvents>(createSilentLogger());
    let seq = 10;
    const stored: StoredEvent[] = [
      { seq: 10, seenAt: 2, event: named("S2") },
      { seq: 9, seenAt: 1, event: named("S1") },
    ];
    const history: EventHistory = { append: () => ++seq, flush: () => {}, recent: (limit) => stored.slice(0, limit) };
    const timeline = createEventTimeline(bus, { max: 3, history, now: () => 3 });
    await timeline.start();
    expect(names(timeline.entries())).toEqual(["S2", "S1"]);
    await bus.emit("task.failed", named("N1"));
    expect(names(timeline.entries())).toEqual(["N1", "S2", "S1"]);
    await bus.emit("task.failed", named("N2"));
    expect(names(timeline.entries())).toEqual(["N2", "N1", "S2"]);
    expect(timeline.entries().map((e) => e.seq)).toEqual([12, 11, 10]);
    await timeline.stop(1_000);
  });
});
