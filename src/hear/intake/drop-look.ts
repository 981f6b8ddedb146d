// A datagram is a hint; QRS is the truth (issue 86). A flood that spoofs a node's address fills that address's share of
// the overflow, and the node's own failure, sent from the same address, is dropped with the forged runs: nothing in a
// datagram tells them apart. So a drop is taken as a reason to ask QRS now rather than at the next reconciliation
// (minutes away): a short pass (reconcile.ts, urgent: a few seconds of settle time) reads the runs that ended since
// the watermark, and each one QRS shows is processed on its own path, never through the queue the forger fills.
//
// Bounded: the look waits for the settle time after the drop (a run that ended just now is too young for the pass),
// and at most one look runs every `gapMs` whatever the number of drops or of sources dropping: a flood of any size
// costs one QRS read every few seconds. One look serves every source (the pass reads the whole site: a source address
// names a node only through DNS, and several nodes may share one, as on loopback).
import type { Logger } from "pino";
import type { Clock, Timer } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import { type Reconciler, URGENT_SETTLE_SECONDS } from "../events/reconcile";

/** The least time between two looks: a flood of any size costs one QRS read this often. */
export const DROP_LOOK_GAP_MS = 5_000;

export interface DropLook {
  /** A run from `source` was dropped (its share of the overflow was full, or the overflow was): look at QRS soon. */
  dropped(source: string): void;
  /** Cancels a look that is due and waits for one under way (a later drop may arm another: the pass then says if it runs). */
  stop(): Promise<void>;
  /** Looks made, and the drops that asked for one (for the metrics and tests). */
  readonly stats: { looks: number; asked: number };
}

export interface DropLookDeps {
  clock: Clock;
  log: Logger;
  /** One short reconciliation pass (reconcile.ts `runOnce(true)`); resolves when it has ended. */
  look: () => Promise<unknown>;
  /** How long after a drop the run it may have been is old enough for the pass (its settle time, plus a margin). */
  settleMs: number;
  gapMs?: number;
}

export function createDropLook(deps: DropLookDeps): DropLook {
  const gapMs = deps.gapMs ?? DROP_LOOK_GAP_MS;
  const log = deps.log.child({ module: "drop-look" });
  const stats = { looks: 0, asked: 0 };
  let timer: Timer | undefined;
  let running: Promise<void> | undefined;
  let lastLookAt = Number.NEGATIVE_INFINITY;
  /** Drops came while a look ran: one more look once it ends (the run dropped last may be younger than it read). */
  let again = false;
  /** Sources whose drops asked for a look since the last one, for its log line. */
  const sources = new Set<string>();

  function arm(): void {
    if (timer || running) return;
    const now = deps.clock.now();
    const due = Math.max(now + deps.settleMs, lastLookAt + gapMs);
    timer = deps.clock.setTimeout(fire, due - now);
    timer.unref?.();
  }

  function fire(): void {
    timer = undefined;
    lastLookAt = deps.clock.now();
    stats.looks++;
    log.info({ sources: [...sources].slice(0, 10) }, "task datagrams were dropped: asking QRS for the runs that ended meanwhile");
    sources.clear();
    running = deps
      .look()
      .then(
        () => undefined,
        (err: unknown) => void log.warn({ err: describeError(err) }, "the look at QRS after dropped datagrams failed; reconciliation will find the runs"),
      )
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          arm();
        }
      });
  }

  return {
    stats,
    dropped(source) {
      stats.asked++;
      if (sources.size < 100) sources.add(source);
      if (running) again = true;
      else arm();
    },
    async stop() {
      again = false;
      if (timer) deps.clock.clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

/** A look waits this long after a drop: the short pass leaves runs younger than its settle time to the datagrams. */
const LOOK_SETTLE_MS = URGENT_SETTLE_SECONDS * 1000 + 500;

/** The reconciler as a component, and the drop look that asks it for short passes (cancelled first when it stops). */
export function reconcilerWithDropLook(reconciler: Reconciler, deps: { clock: Clock; log: Logger }): { component: Component; dropLook: DropLook } {
  const dropLook = createDropLook({ ...deps, look: () => reconciler.look(), settleMs: LOOK_SETTLE_MS });
  const component: Component = {
    name: "reconcile",
    start: () => reconciler.start(),
    stop: async () => {
      await dropLook.stop();
      await reconciler.stop();
    },
  };
  return { component, dropLook };
}
