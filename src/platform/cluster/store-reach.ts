// Whether the shared store has just been out of this Steward's reach. After an outage every member's heartbeat is
// late, this Steward's own included, until each has its connection back and beats again: seconds on a busy machine.
// A look that takes over a dead member's work (its sends in flight, its claims) must not take a live member for dead
// meanwhile (src/platform/cluster/live-members.ts).
// Judged by the store's answers to this Steward's heartbeat (failing, or not answering for half a lease), never by
// the time between two heartbeats: on a loaded machine those are late without any outage, and a Steward that took
// that for one kept a killed member alive for as long as the load lasted (the chaos suite's alerts went a minute late).
// It settles for a lease and a connection attempt after the store answers again: a member whose attempt to connect
// began just before the store came back waits up to the connect timeout before it tries again, then beats. With a
// lease alone, such a member had its alert in flight sent a second time (inflight-takeover, in a loaded CI run: lease
// 3 s, connect timeout 2 s).

export interface StoreReach {
  /** A heartbeat is sent now. */
  sending(now: number): void;
  /** The heartbeat sent at `sentAt` was answered now. */
  answered(sentAt: number, now: number): void;
  /** The heartbeat failed (the store refused or dropped the connection). */
  failed(): void;
  /** True while the store fails or does not answer, and for a lease and a connection attempt after it answers again. */
  settling(now: number): boolean;
}

export function createStoreReach(leaseTtlMs: number, connectTimeoutMs = 0): StoreReach {
  const slowMs = leaseTtlMs / 2;
  const settleMs = leaseTtlMs + connectTimeoutMs;
  let inFlightSince: number | undefined;
  let failing = false;
  let backAt: number | undefined;
  return {
    sending(now) {
      inFlightSince = now;
    },
    answered(sentAt, now) {
      if (failing || now - sentAt > slowMs) backAt = now;
      failing = false;
      inFlightSince = undefined;
    },
    failed() {
      failing = true;
      inFlightSince = undefined;
    },
    settling(now) {
      if (failing) return true;
      if (inFlightSince !== undefined && now - inFlightSince > slowMs) return true;
      return backAt !== undefined && now - backAt < settleMs;
    },
  };
}
