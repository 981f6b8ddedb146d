// Counts what a Steward on a stepped clock sends to its PostgreSQL store, by the label the store tracks each
// statement under: "PostgreSQL: <text>" for a statement or "a transaction" on its own, "PostgreSQL in a transaction:
// <text>" for each statement inside one. Both ways of counting are offered: per round trip the store opens (a
// transaction as one) and per statement sent (a transaction's each too).
import type { SteppedClock } from "../../src/platform/core/stepped-clock";

const ALONE = "PostgreSQL: ";
const INSIDE = "PostgreSQL in a transaction: ";

export interface StatementCounts {
  /** Clears the counts and counts from now on. */
  start(): void;
  /** Statements outside a transaction (and transactions, as "a transaction") whose text starts with `text`. */
  of(text: string): number;
  /** Every statement whose text starts with `text`, in a transaction or not. */
  ofAll(text: string): number;
  /** Statements outside a transaction and transactions. */
  total(): number;
  /** Every statement, a transaction's each too, and the transactions. */
  totalAll(): number;
  /** Every label and its count, the most first (printed when a bound is passed). */
  table(): Array<[string, number]>;
}

export function countStatements(clock: SteppedClock): StatementCounts {
  const labels = new Map<string, number>();
  let counting = false;
  const track = clock.track.bind(clock);
  clock.track = (work, label) => {
    if (counting && (label.startsWith(ALONE) || label.startsWith(INSIDE))) labels.set(label, (labels.get(label) ?? 0) + 1);
    return track(work, label);
  };
  const sum = (keep: (label: string) => boolean) => [...labels].filter(([l]) => keep(l)).reduce((n, [, c]) => n + c, 0);
  const textOf = (label: string) => (label.startsWith(ALONE) ? label.slice(ALONE.length) : label.slice(INSIDE.length));
  return {
    start: () => {
      labels.clear();
      counting = true;
    },
    of: (text) => sum((l) => l.startsWith(ALONE) && textOf(l).startsWith(text)),
    ofAll: (text) => sum((l) => textOf(l).startsWith(text)),
    total: () => sum((l) => l.startsWith(ALONE)),
    totalAll: () => sum(() => true),
    table: () => [...labels].sort((a, b) => b[1] - a[1]),
  };
}
