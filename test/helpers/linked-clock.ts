// One stepped simulation split over two processes, so each process's memory is its own: the driver (the simulator's
// process) keeps its stepped clock and runs both; the peer (Steward's process) keeps a stepped clock of its own whose
// timers the driver fires. Time moves only once both are quiet together: the driver settles, then the peer, again
// until neither did anything while the other looked, and the datagrams the simulator sent have all arrived.
import type { SteppedClock } from "../../src/platform/core/stepped-clock";
import { wallLimit } from "./time-limit";

/** What the peer answers after settling: how much has happened there, its next timer, and what it counts as received. */
export interface PeerState {
  activity: number;
  nextDue?: { id: number; due: number };
  /** The peer's own count of what reached it (datagrams), compared by the driver's `peerIdle`. */
  received: number;
}

/** The peer's clock as the driver reaches it (over IPC). */
export interface ClockPeer {
  settle(): Promise<PeerState>;
  /** Moves the peer's time to `at` and runs its timer `id` there. */
  fire(id: number, at: number): Promise<void>;
  advance(at: number): Promise<void>;
}

export interface LinkedRunOptions {
  /** True when nothing is on its way from the driver to the peer, judged from the peer's answer. */
  peerIdle?: (s: PeerState) => boolean;
  /**
   * How many things the driver has sent the peer outside these calls (datagrams). Unchanged since the peer last
   * answered quiet, and none of its timers fired since, the peer has had nothing new, so it is not asked to settle
   * again: of a ×50 day's 70,000 timers of the simulator, 52,000 send the peer nothing.
   */
  sentToPeer?: () => number;
  /** Wall time allowed for both to become quiet together. */
  stallMs?: number;
}

/** Fires the timers of both clocks due up to `untilMs` in due order (the driver's first on a tie). */
export async function runLinked(driver: SteppedClock, peer: ClockPeer, untilMs: number, o: LinkedRunOptions = {}): Promise<void> {
  const stallMs = o.stallMs ?? wallLimit(30_000);
  let lastPeer = -1;
  // The peer's time, as last moved from here (only the driver moves it): most of a large site's timers fall due on
  // the same millisecond as the one before (a ×50 day fires 70,000 on 1,400 distinct moments), and a call to move the
  // peer to where it already is costs a round trip for nothing.
  let peerAt: number | undefined;
  let quiet: { state: PeerState; sent: number } | undefined;
  const sent = o.sentToPeer;
  for (;;) {
    let state: PeerState;
    if (quiet && sent) await driver.settle(stallMs);
    if (quiet && sent && sent() === quiet.sent) state = quiet.state;
    else {
      state = await settleTogether(driver, peer, () => lastPeer, stallMs, o.peerIdle);
      quiet = sent && { state, sent: sent() };
    }
    lastPeer = state.activity;
    const mine = driver.nextDue();
    const theirs = state.nextDue;
    const next = !theirs || (mine && mine.due <= theirs.due) ? mine && { ...mine, here: true } : { ...theirs, here: false };
    if (!next || next.due > untilMs) break;
    if (next.here) {
      // The peer's time moves first: whatever the driver's timer sends it must find the peer at that moment.
      if (peerAt !== next.due) await peer.advance(next.due);
      peerAt = next.due;
      driver.fire(next.id);
    } else {
      driver.advanceTo(next.due);
      quiet = undefined;
      await peer.fire(next.id, next.due);
      peerAt = next.due;
    }
  }
  driver.advanceTo(untilMs);
  await peer.advance(untilMs);
}

async function settleTogether(
  driver: SteppedClock,
  peer: ClockPeer,
  lastPeer: () => number,
  stallMs: number,
  peerIdle: LinkedRunOptions["peerIdle"],
): Promise<PeerState> {
  const deadline = performance.now() + stallMs;
  let seen = lastPeer();
  for (;;) {
    await driver.settle(stallMs);
    const before = driver.activity();
    const state = await peer.settle();
    const quiet = state.activity === seen && driver.activity() === before && (peerIdle?.(state) ?? true);
    if (quiet) return state;
    seen = state.activity;
    if (performance.now() > deadline)
      throw new Error(`linked simulation stalled at ${new Date(driver.now()).toISOString()}: the two processes did not become quiet together`);
  }
}

/** The peer's side: answers the driver's settle, fire and advance on `clock`; `received` is its count for PeerState. */
export function peerClockHandlers(clock: SteppedClock, received: () => number) {
  return {
    async settle(): Promise<PeerState> {
      await clock.settle();
      const next = clock.nextDue();
      return { activity: clock.activity(), ...(next ? { nextDue: next } : {}), received: received() };
    },
    fire(id: number, at: number): void {
      clock.advanceTo(at);
      clock.fire(id);
    },
    advance(at: number): void {
      clock.advanceTo(at);
    },
  };
}
