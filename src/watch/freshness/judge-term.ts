// What the Steward judging the promises keeps for its term (from the duty's start to its stop), since no other
// Steward writes it meanwhile: whether a condition may wait to be announced (a crash or a failed send left it), each
// promise's watching-since, when closed conditions were last pruned, and the data times of the "never older than"
// promises (its own verdicts). Each was a statement or two every look (issue 78; the data times two a minute since
// issue 102); a new term reads them again, as another Steward may have judged in between.
import type { WatchdogEvent } from "../../platform/events/types";
import type { FreshnessStore } from "./freshness-store";

/** Closed conditions are pruned once an hour of the term: they go a week after they closed, and no look reads them. */
export const PRUNE_EVERY_MS = 60 * 60_000;
const KEEP_CLOSED_MS = 7 * 86_400_000;

type Send = (key: string, e: WatchdogEvent, what: "warn" | "breach" | "close") => Promise<void>;

export interface JudgeTerm {
  /**
   * Announces what was decided but not announced (a crash between the two, or a send that failed): read from the
   * store at the term's first look and after a look that failed, when the store may hold such a condition.
   */
  announcePending(send: Send): Promise<void>;
  /** A look failed: a send may have been left undone. */
  failed(): void;
  /** Each promise's watching-since, from the store the first time in the term. */
  since(promises: readonly { name: string }[], nowMs: number): Promise<Map<string, number>>;
  /** Prunes closed conditions at the term's first look and then once an hour. */
  prune(nowMs: number): Promise<void>;
  /** The data times the verdicts hold: read from the store at the term's first look and after a look that failed. */
  dataTimes(read: () => Promise<Map<string, number>>): Promise<Map<string, number>>;
  /** The data times of the verdicts this look stored (or found stored unchanged): the next look's. */
  keepDataTimes(times: Map<string, number>): void;
}

export function newJudgeTerm(store: Pick<FreshnessStore, "initMeta" | "prune" | "unannounced">): JudgeTerm {
  const known = new Map<string, number>();
  let prunedAt: number | undefined;
  let pending = true;
  let dataTimes: Map<string, number> | undefined;
  return {
    async announcePending(send) {
      if (!pending) return;
      for (const c of await store.unannounced()) {
        if (c.warnEvent && !c.warnAnnounced) await send(c.key, c.warnEvent, "warn");
        if (c.breachEvent && !c.breachAnnounced) await send(c.key, c.breachEvent, "breach");
        if (c.closeEvent && !c.closeAnnounced) await send(c.key, c.closeEvent, "close");
      }
      pending = false;
    },
    failed() {
      pending = true;
      // The look may have failed before its verdicts were stored, or while storing them: the store says which.
      dataTimes = undefined;
    },
    async since(promises, nowMs) {
      const out = new Map<string, number>();
      for (const p of promises) {
        const at = known.get(p.name) ?? Number(await store.initMeta(`since:${p.name}`, String(nowMs)));
        known.set(p.name, at);
        out.set(p.name, at);
      }
      return out;
    },
    async prune(nowMs) {
      if (prunedAt !== undefined && nowMs - prunedAt < PRUNE_EVERY_MS) return;
      await store.prune(nowMs - KEEP_CLOSED_MS);
      prunedAt = nowMs;
    },
    async dataTimes(read) {
      dataTimes ??= await read();
      return dataTimes;
    },
    keepDataTimes(times) {
      dataTimes = times;
    },
  };
}
