// Lines about work a full disk refused, held to one of each kind a minute: the store says the disk is full itself
// (write-health.ts), and a busy site fails thousands of writes a second then (issue 75: 59,962 error lines in 35 s,
// most of them the intake's, one per task run). Any other error is said every time, as before.
import { causedByDiskFull } from "./sql";

const INTERVAL_MS = 60_000;

/**
 * Calls `say` with the fields to add to the line about `err`, unless the line is held back: the error is a full disk
 * and a line of this kind was written within the minute. The next one says how many were held back since.
 */
export type FullDiskLines = (kind: string, err: unknown, say: (fields: Record<string, unknown>) => void) => void;

export function createFullDiskLines(now: () => number): FullDiskLines {
  const kinds = new Map<string, { at: number; heldBack: number }>();
  return (kind, err, say) => {
    if (!causedByDiskFull(err)) return say({});
    const t = now();
    const last = kinds.get(kind);
    if (last && t - last.at < INTERVAL_MS) {
      last.heldBack++;
      return;
    }
    kinds.set(kind, { at: t, heldBack: 0 });
    say({ diskFull: true, heldBackSinceLast: last?.heldBack ?? 0 });
  };
}
