// A run's key: its execution id and what happened to it. It is a task event's id and the intake's dedupe key, so
// the keys of one execution are a closed set: "was any outcome of this execution handled" is a handful of
// primary-key lookups, with no index on the execution id for every run to update.
import type { TaskOutcome } from "../../platform/events/types";

/** What a run's key names after its execution id: the outcome it ended with, or its distribution notice. */
export const RUN_KEY_KINDS = ["succeeded", "failed", "aborted", "distribute"] as const satisfies ReadonlyArray<TaskOutcome | "distribute">;
export type RunKeyKind = (typeof RUN_KEY_KINDS)[number];

export const runKey = (executionId: string, kind: RunKeyKind): string => `${executionId}:${kind}`;

export const runKeysOf = (executionId: string): string[] => RUN_KEY_KINDS.map((kind) => runKey(executionId, kind));

const KINDS: ReadonlySet<string> = new Set(RUN_KEY_KINDS);

/** True when `key` is runKey(executionId, some kind). */
export function isRunKeyOf(key: string, executionId: string): boolean {
  const n = executionId.length;
  return key.length > n && key.startsWith(executionId) && key[n] === ":" && KINDS.has(key.slice(n + 1));
}
