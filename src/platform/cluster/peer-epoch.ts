// The peer epoch a Steward of a cluster keeps from its heartbeats (Cluster.peerEpoch): it changes when someone else
// may have written work for this Steward that its looks would find. While it stands still and the Steward is alone in
// the cluster, those looks are skipped (src/platform/cluster/peer-poll.ts); each change wakes them once.
import type { Logger } from "pino";

/** A move of the database's clock against this machine's past this: a plan written before it may be far ahead. */
const OFFSET_MOVE_MS = 1_000;

export interface PeerEpoch {
  /** What a heartbeat read: the store's counter, whether this Steward is alone, and the clock offset it measured. */
  heard(stored: number, alone: boolean, offsetMs: number): void;
  /** What the cluster offers of it (Cluster.peerEpoch and onPeerEpoch). */
  surface: { peerEpoch(): number; onPeerEpoch(fn: () => void): () => void };
}

export function createPeerEpoch(log: Logger): PeerEpoch {
  let epoch = 0;
  let stored: number | undefined;
  let offsetAt: number | undefined;
  /** Not alone until a heartbeat has looked (as Cluster.alone). */
  let wasAlone = false;
  const listeners = new Set<() => void>();
  return {
    heard(value, alone, offsetMs) {
      const offsetMoved = offsetAt !== undefined && Math.abs(offsetMs - offsetAt) > OFFSET_MOVE_MS;
      const moved = (stored !== undefined && value !== stored) || alone !== wasAlone || offsetMoved;
      stored = value;
      wasAlone = alone;
      if (offsetAt === undefined || moved) offsetAt = offsetMs;
      if (!moved) return;
      epoch++;
      for (const fn of listeners) {
        try {
          fn();
        } catch (err) {
          log.error({ err: (err as Error).message }, "a look woken by a change in the cluster failed to start");
        }
      }
    },
    surface: {
      peerEpoch: () => epoch,
      onPeerEpoch(fn) {
        listeners.add(fn);
        return () => void listeners.delete(fn);
      },
    },
  };
}
