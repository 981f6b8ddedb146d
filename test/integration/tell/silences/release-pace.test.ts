// How often the silences' releaser looks at the store: every 5 s while an alert is held, once a minute when none is
// (a sweep every 5 s on every node forever was most of the timers of a stepped simulated week), and an alert held
// during the idle pace is still settled within 5 s of its silence's end. An idle look is one query (is anything held?).
import { afterAll, expect, test } from "bun:test";
import pino from "pino";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import { createOutboxStore } from "../../../../src/tell/notify/outbox-store";
import { createSilenceReleaser, IDLE_SWEEP_EVERY_MS, SWEEP_EVERY_MS } from "../../../../src/tell/silences/release";
import { createSilenceStore } from "../../../../src/tell/silences/silence-store";
import { STORE_MIGRATIONS } from "../../../../src/store-migrations";
import { sqliteBackend } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-23T10:00:00Z");
const HOUR = 3_600_000;
const backend = sqliteBackend();
afterAll(() => backend.shutdown());

test("idle: a sweep a minute; held: every 5 s until settled, within 5 s of the silence's end", async () => {
  const db = await backend.open([...STORE_MIGRATIONS]);
  const real = createSilenceStore(db);
  // A sweep's first look is anyHeld; the queries that work on held alerts are counted apart.
  let sweeps = 0;
  let heldWork = 0;
  const store = {
    ...real,
    anyHeld: () => {
      sweeps++;
      return real.anyHeld();
    },
    due: (now: number, limit: number) => {
      heldWork++;
      return real.due(now, limit);
    },
    keepHeld: (now: number, staleBefore: number) => {
      heldWork++;
      return real.keepHeld(now, staleBefore);
    },
    dropOrphans: (before: number, now: number) => {
      heldWork++;
      return real.dropOrphans(before, now);
    },
  };
  const clock = createSteppedClock(T0);
  const releaser = createSilenceReleaser({ store, clock, log: pino({ level: "silent" }), maxAgeMs: HOUR, keepMs: 24 * HOUR, wake: () => undefined });
  await releaser.component.start();
  try {
    await clock.runUntil(T0 + HOUR);
    // The first look 5 s after start, then one a minute; with nothing held each is that one query.
    expect(sweeps).toBe(1 + Math.floor((HOUR - SWEEP_EVERY_MS) / IDLE_SWEEP_EVERY_MS));
    expect(heldWork).toBe(0);

    // An alert is held 20 s into an idle minute, under a silence that ends 2 min 3 s later.
    await clock.runUntil(T0 + HOUR + 20_000);
    const endsAt = T0 + HOUR + 143_000;
    const silence = await real.create({ matcher: { kinds: ["*"] }, author: "a", reason: "r", startsAt: T0, endsAt, createdAt: T0, createdBy: "a" });
    await real.hold({
      deliveryKey: "k1",
      silenceId: silence.id,
      eventId: "e1",
      kind: "task.failed",
      title: "Sales",
      conditionKey: null,
      route: "r",
      channel: "c",
      recipient: "",
      heldAt: clock.now(),
    });
    const at = clock.now();
    await createOutboxStore(db, { instanceId: "test" }).insert({
      key: "k1",
      eventId: "e1",
      eventIds: ["e1"],
      kind: "task.failed",
      route: "r",
      channel: "c",
      recipient: "",
      target: null,
      status: "suppressed",
      reason: "silenced",
      groupId: null,
      groupWindowMs: null,
      nextAttemptAt: at,
      expiresAt: at + HOUR,
      createdAt: at,
    });
    releaser.noteHeld();
    const before = sweeps;
    await clock.runUntil(endsAt + SWEEP_EVERY_MS);
    const [hold] = await real.holds({ limit: 10 });
    expect(hold?.state).toBe("passed");
    expect(hold!.settledAt! - endsAt).toBeLessThanOrEqual(SWEEP_EVERY_MS);
    expect(sweeps - before).toBeGreaterThanOrEqual(Math.floor((endsAt - T0 - HOUR - 20_000) / SWEEP_EVERY_MS));

    // Nothing held any more: back to a look a minute.
    const settled = sweeps;
    await clock.runUntil(endsAt + SWEEP_EVERY_MS + 10 * 60_000);
    expect(sweeps - settled).toBeLessThanOrEqual(11);
  } finally {
    await releaser.component.stop(1_000);
  }
});
