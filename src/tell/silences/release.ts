// Sends what silences held once they end: every few seconds while any alert is held (on every Steward; each hold is
// settled once) the held alerts of ended silences are sent if their condition lasts, moved to another silence that
// still covers them, or settled as a moment that passed. Also ends holds whose outbox row never came, and forgets old
// settled holds. With nothing held it looks once a minute: most sites hold nothing most of the time, and a sweep
// every 5 s is a store query per node forever (and 17,000 timers a simulated day in a stepped test).
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { createSerialTicker } from "../../platform/core/serial-ticker";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { DomainEvent } from "../../platform/events/types";
import { createFullDiskLines } from "../../platform/store/full-disk-lines";
import type { SqlExecutor } from "../../platform/store/sql";
import { matchesSilence } from "./matcher";
import type { SilenceRow, SilenceStore } from "./silence-store";

export const SWEEP_EVERY_MS = 5_000;
/** With nothing held: a hold another Steward made is swept by it, and by this one within this (if that one is gone). */
export const IDLE_SWEEP_EVERY_MS = 60_000;
/** A hold whose outbox row is still missing after this was never written (the Steward stopped in between). */
const ORPHAN_AFTER_MS = 10 * 60_000;
const BATCH = 100;
const MAX_BATCHES = 50;
const PURGE_EVERY_MS = 3_600_000;
/** How stale a held delivery's row may get before it is marked as still wanted (see SilenceStore.keepHeld). */
const KEEP_HELD_EVERY_MS = 60_000;
const NOTE = (h: { silenceId: number }) => `held by silence #${h.silenceId}; sent when it ended, its condition still lasting`;

export interface ReleaseDeps {
  store: SilenceStore;
  clock: Clock;
  log: Logger;
  /** How long a released delivery may keep failing before it is dead-lettered (notify.outbox.maxAge). */
  maxAgeMs: number;
  /** notify.outbox.keep: settled holds are forgotten after as long as the outbox keeps their deliveries. */
  keepMs: number;
  /** Tells the notifier rows became pending. */
  wake(): void;
  /** Told of each held alert sent now on its route: people are told only now, so an escalation's clock starts now. */
  released?(event: DomainEvent, route: string, now: number): Promise<void>;
  /**
   * Records who received a held alert sent now, in `tx`, the transaction that makes it pending (its recovery may go
   * there too): the send and its record are written together or not at all.
   */
  received?(event: DomainEvent, to: { channel: string; recipient: string }, now: number, tx: SqlExecutor): Promise<void>;
  /**
   * A held alert carrying an open cause (a node's window held its service's page and its tasks' failures): `paged` once
   * a page of the cause reached this receiver after the alert was held (the newest of them, released first), `ended`
   * when the cause closed meanwhile, else `send`. One page of a cause per receiver at the silence's end, not one per
   * symptom; a cause's update held by its snooze is still sent (its earlier page came before the hold). A `send` is
   * claimed in the store with the release (SilenceStore.release): two Stewards sweeping at once page the cause once.
   */
  causePage?(causeId: number, to: { channel: string; recipient: string }, heldAt: number): Promise<"send" | "paged" | "ended">;
}

export interface SilenceReleaser {
  component: Component;
  /** Runs a sweep now (after a silence was ended by hand); resolves when it is done. */
  sweep(): Promise<number>;
  /** An alert was just held here: sweep often again until nothing is held. */
  noteHeld(): void;
}

export function createSilenceReleaser(d: ReleaseDeps): SilenceReleaser {
  let lastPurge = 0;
  /** noteHeld came during a sweep: its hold may be newer than the sweep's look at the store. */
  let heldNoted = false;

  /** Whether the last sweep's look found an alert held (after settling what it could). */
  let held = true;

  async function once(): Promise<number> {
    const now = d.clock.now();
    // A hold noted from here on may be too new for the looks below; the flag catches it.
    heldNoted = false;
    // With nothing held there is nothing to release, keep or drop (each of those reads held holds only): an idle
    // sweep is this one query (and the hourly purge), not four.
    held = await d.store.anyHeld();
    let released = 0;
    if (held) {
      released = await settleHeld(now);
      held = await d.store.anyHeld();
    }
    if (now - lastPurge >= PURGE_EVERY_MS) {
      lastPurge = now;
      await d.store.purge(now - d.keepMs);
    }
    return released;
  }

  /** Releases, moves or settles the held alerts whose silence ended; returns how many it released. */
  async function settleHeld(now: number): Promise<number> {
    let active: SilenceRow[] | undefined;
    let released = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const due = await d.store.due(now, BATCH);
      for (const h of due) {
        const payload = await d.store.eventPayload(h.eventId);
        if (!payload) {
          await d.store.settle(h.deliveryKey, "passed", now);
          continue;
        }
        const event = JSON.parse(payload) as DomainEvent;
        active ??= await d.store.active(now);
        const cover = active.find((s) => matchesSilence(s.matcher, event));
        const byCause =
          cover || event.cause?.status !== "open" ? undefined : await d.causePage?.(event.cause.id, { channel: h.channel, recipient: h.recipient }, h.heldAt);
        if (cover) await d.store.moveHold(h.deliveryKey, cover.id);
        else if (byCause === "ended") await d.store.settle(h.deliveryKey, "closed", now);
        else if (byCause === "paged") await d.store.settle(h.deliveryKey, "superseded", now);
        else if (h.conditionKey === null) await d.store.settle(h.deliveryKey, "passed", now);
        else {
          const to = { channel: h.channel, recipient: h.recipient };
          const received = d.received;
          const record = received ? (tx: SqlExecutor) => received(event, to, now, tx) : undefined;
          if (await d.store.release(h, now, now + d.maxAgeMs, NOTE(h), byCause === "send" ? event.cause?.id : undefined, record)) {
            released++;
            await d.released?.(event, h.route, now);
          }
        }
      }
      if (due.length < BATCH) break;
    }
    await d.store.keepHeld(now, now - KEEP_HELD_EVERY_MS);
    await d.store.dropOrphans(now - ORPHAN_AFTER_MS, now);
    if (released > 0) {
      d.log.info({ released }, "silence ended: held alerts whose condition lasts are sent now");
      d.wake();
    }
    return released;
  }

  const fullDisk = createFullDiskLines(() => d.clock.now());
  // One sweep at a time: a call during one runs after it (the change it follows may have come too late for it).
  const ticker = createSerialTicker(
    d.clock,
    SWEEP_EVERY_MS,
    once,
    (err) => fullDisk("sweep", err, (f) => d.log.warn({ err: describeError(err), ...f }, "silences: could not release held alerts; trying again")),
    async () => (held || heldNoted ? SWEEP_EVERY_MS : IDLE_SWEEP_EVERY_MS),
  );
  const sweep = ticker.run;

  return {
    sweep,
    noteHeld() {
      heldNoted = true;
      if (ticker.armedFor() === IDLE_SWEEP_EVERY_MS) ticker.arm(SWEEP_EVERY_MS);
    },
    component: {
      name: "silences",
      start() {
        ticker.resume();
        ticker.arm();
      },
      stop: () => ticker.stop(),
    },
  };
}
