// Whether the shared store has just been out of this Steward's reach. After an outage every member's heartbeat is
// late, this Steward's own included, until each has its connection back and beats again: seconds on a busy machine.
// A look that takes over a dead member's work (its sends in flight, its claims) must not take a live member for dead
// meanwhile (src/platform/cluster/live-members.ts).

export interface StoreReach {
  /** A heartbeat answered now. */
  beat(now: number): void;
  /** True while this Steward's own heartbeat is overdue, and for a lease after it answers again following a gap. */
  settling(now: number): boolean;
}

/** `heartbeatMs`: the heartbeat's interval; a gap longer than two of them is an outage. */
export function createStoreReach(heartbeatMs: number, leaseTtlMs: number, startedAt: number): StoreReach {
  const gapMs = 2 * heartbeatMs;
  let lastBeatAt = startedAt;
  let backAt: number | undefined;
  return {
    beat(now) {
      if (now - lastBeatAt > gapMs) backAt = now;
      lastBeatAt = now;
    },
    settling(now) {
      return now - lastBeatAt > gapMs || (backAt !== undefined && now - backAt < leaseTtlMs);
    },
  };
}
