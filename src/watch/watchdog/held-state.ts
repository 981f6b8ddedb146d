// What the watchdog reads of its own state while this Steward holds its duty: read from the store once a term and then
// kept, since no other Steward writes it meanwhile. On PostgreSQL each look read its cursors and snapshots (five
// meta rows), the open conditions (three or four times), and wrote unchanged cursors and pruned: some twenty
// statements a minute from an idle site. A new term (the lease taken, or taken back) reads everything again, as
// another Steward may have written it in between.
import type { Component } from "../../platform/core/lifecycle";
import type { ConditionRow, WatchStore } from "./watch-store";

/** Pruning waits this long after the last prune of the term: what it deletes (runs past keepRuns, conditions closed a week ago) is read by no look. */
export const PRUNE_EVERY_MS = 60 * 60_000;

/**
 * The meta keys only the look writes (cursors, snapshots, episodes, each Cloud tenant's). Acknowledgements (`ack:`)
 * are written by whichever Steward's API receives them, so they are always read from the store.
 */
export const isLookKey = (key: string): boolean => LOOK_KEYS.has(key) || key.startsWith("cloud:");
const LOOK_KEYS = new Set(["exec_cursor", "checked_until", "watching_since", "turned_off_seen", "turned_off_seen_stamp", "queue_episodes"]);

export interface HeldState {
  /** The store the watchdog and its routes use: kept state while held, the store itself otherwise. */
  store: WatchStore;
  /** The watchdog as the duty gate runs it: a term begins before its start and ends after its stop. */
  component(inner: Component): Component;
}

export function holdWatchState(inner: WatchStore): HeldState {
  let held = false;
  /** Begun and ended terms: a read that outlived its term is not kept in the next. */
  let term = 0;
  const meta = new Map<string, string | undefined>();
  let open: readonly ConditionRow[] | undefined;
  /** Condition writes begun this term: a read that a write overtook is answered but not kept. */
  let writes = 0;
  let prunedRunsBefore: number | undefined;
  const begin = () => {
    meta.clear();
    open = undefined;
    prunedRunsBefore = undefined;
    held = true;
    term++;
  };
  const end = () => {
    held = false;
    term++;
    meta.clear();
    open = undefined;
  };
  const writing = async <T>(write: () => Promise<T>): Promise<T> => {
    open = undefined;
    writes++;
    try {
      return await write();
    } finally {
      open = undefined;
      writes++;
    }
  };
  const store: WatchStore = {
    ...inner,
    open: (row) => writing(() => inner.open(row)),
    close: (key, closedMs, event) => writing(() => inner.close(key, closedMs, event)),
    markOpenAnnounced: (key) => writing(() => inner.markOpenAnnounced(key)),
    markCloseAnnounced: (key) => writing(() => inner.markCloseAnnounced(key)),
    async openConditions() {
      if (held && open) return [...open];
      const before = { writes, term, held };
      const rows = await inner.openConditions();
      if (before.held && before.term === term && before.writes === writes) open = rows;
      return [...rows];
    },
    async getMeta(key) {
      if (!held || !isLookKey(key)) return inner.getMeta(key);
      if (meta.has(key)) return meta.get(key);
      const readIn = term;
      const value = await inner.getMeta(key);
      if (readIn === term && !meta.has(key)) meta.set(key, value);
      return value;
    },
    async setMeta(key, value) {
      if (!held || !isLookKey(key)) return inner.setMeta(key, value);
      if (meta.has(key) && meta.get(key) === value) return;
      // Forgotten first: a write that fails leaves the key to be read again.
      meta.delete(key);
      const writtenIn = term;
      await inner.setMeta(key, value);
      if (writtenIn === term) meta.set(key, value);
    },
    async prune(runsBeforeMs, closedBeforeMs, holdRunsFromMs) {
      if (held && prunedRunsBefore !== undefined && runsBeforeMs - prunedRunsBefore < PRUNE_EVERY_MS) {
        // The store waits for the hour; what memory holds of the runs moves on with every look.
        if (holdRunsFromMs !== undefined) inner.holdRuns(holdRunsFromMs);
        return;
      }
      const prunedIn = term;
      await writing(() => inner.prune(runsBeforeMs, closedBeforeMs, holdRunsFromMs));
      if (held && prunedIn === term) prunedRunsBefore = runsBeforeMs;
    },
  };
  return {
    store,
    component: (c) => ({
      name: c.name,
      async start() {
        begin();
        await c.start();
      },
      async stop(budgetMs) {
        try {
          await c.stop(budgetMs);
        } finally {
          end();
        }
      },
    }),
  };
}
