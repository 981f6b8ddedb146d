// The QRS lookups of one task event, each within its own time budget. A failure is recorded in the event's
// `missing` list, never thrown. Once QRS proved unreachable (network, 5xx, timeout) the remaining lookups of this
// event are skipped: they would fail the same way, slowly, and a struggling QRS needs fewer calls, not more.
import type { IntakeConfig } from "../intake/config";
import { describeError, isAppError } from "../../platform/core/errors";
import type { QrsCallOptions } from "../../platform/qlik/qrs-client";
import type { TaskEvent } from "../../platform/events/types";

type Missing = TaskEvent["missing"];

export type Lookups = {
  readonly down: string | undefined;
  errorOf(item: string): unknown;
  run<T>(item: string, fn: (o: QrsCallOptions) => Promise<T>, budgetMs?: number, into?: Missing): Promise<T | undefined>;
};

export function createLookups(cfg: IntakeConfig["enrichment"], missing: Missing): Lookups {
  let down: string | undefined;
  const errors = new Map<string, unknown>();
  return {
    get down() {
      return down;
    },
    errorOf: (item: string) => errors.get(item),
    async run<T>(item: string, fn: (o: QrsCallOptions) => Promise<T>, budgetMs = cfg.lookupTimeoutMs, into: Missing = missing): Promise<T | undefined> {
      if (down) {
        into.push({ item, reason: `skipped: ${down}` });
        return undefined;
      }
      const signal = AbortSignal.timeout(budgetMs);
      try {
        return await fn({ timeoutMs: Math.min(budgetMs, cfg.lookupTimeoutMs), signal });
      } catch (err) {
        errors.set(item, err);
        const reason = signal.aborted ? `no answer from QRS within ${budgetMs} ms` : describeError(err);
        if (signal.aborted || (isAppError(err) && (err.code === "QRS_UNAVAILABLE" || err.code === "TIMEOUT"))) down = `QRS unavailable (${reason})`;
        into.push({ item, reason });
        return undefined;
      }
    },
  };
}
