// The Scheduler's attempts of one run, for a task with retries: QRS keeps one execution result per attempt under the
// run's execution id. Read once the run has ended, so the event of its outcome can say "failed 3 times" with each
// attempt's failing line, or that a retry recovered it (issue 76: the outcome is paged, never an attempt).
import type { IntakeConfig } from "../intake/config";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { eq } from "../../platform/qlik/qrs-filter";
import { executionStatusName, isNeverDate, type QrsExecutionResult } from "../../platform/qlik/qrs-schemas";
import type { RunAttempt, TaskEvent } from "../../platform/events/types";
import { scriptLogExcerpt } from "./enrich-mappers";
import type { Lookups } from "./qrs-lookups";

/** More attempts than this are not read one by one (QRS allows up to 20 retries; a page lists the last ones). */
const MAX_READ = 10;
/** Lines kept of an earlier attempt's script log: enough for its failing line and the one after it. */
const TAIL_LINES = 12;

const time = (v: string | null | undefined) => (v && !isNeverDate(v) ? v : undefined);

/** Adds `attempts` to the event of a run that took more than one attempt; a failed read leaves it out, nothing else. */
export async function addRunAttempts(
  cfg: IntakeConfig["enrichment"],
  qrs: QrsClient,
  look: Lookups,
  event: TaskEvent,
  final: QrsExecutionResult | undefined,
): Promise<void> {
  if (!final || !((event.task.maxRetries ?? 0) > 0)) return;
  // A read that fails costs the event its attempts, not its completeness: the outcome is known without them.
  const aside: TaskEvent["missing"] = [];
  const rows = await look.run("attempts", (o) => qrs.getExecutionResults(eq("executionID", event.executionId), o), undefined, aside);
  if (!rows || rows.length < 2) return;
  const ordered = [...rows].sort((a, b) => (time(a.startTime) ?? time(a.stopTime) ?? "").localeCompare(time(b.startTime) ?? time(b.stopTime) ?? ""));
  // The final result is this run's own (its script log is the event's); the others are the attempts before it.
  const earlier = ordered.filter((r) => r.id !== final.id).slice(-MAX_READ);
  const wantLogs = cfg.scriptLog.enabled && event.taskType === "reload";
  const attempts: RunAttempt[] = await Promise.all(
    earlier.map(async (r): Promise<RunAttempt> => {
      const log = wantLogs
        ? await look.run(
            "attemptScriptLog",
            (o) =>
              qrs.getScriptLog(event.task.id, {
                executionResultId: r.id,
                fileReferenceId: r.fileReferenceID ?? undefined,
                attempts: 1,
                retryDelayMs: 0,
                timeoutMs: o.timeoutMs,
                signal: o.signal,
              }),
            undefined,
            aside,
          )
        : undefined;
      return attemptOf(r, log ? scriptLogExcerpt(log.text, 0, TAIL_LINES, cfg.scriptLog.maxTextBytes) : undefined);
    }),
  );
  attempts.push(attemptOf(final, undefined));
  event.attempts = attempts.map((a, i) => ({ ...a, attempt: ordered.length - attempts.length + i + 1 }));
}

function attemptOf(r: QrsExecutionResult, scriptLog: RunAttempt["scriptLog"]): RunAttempt {
  const startedAt = time(r.startTime);
  const endedAt = time(r.stopTime);
  const details = (r.details ?? []).filter((d) => d.detailsType === 0).map((d) => d.message ?? "");
  return {
    attempt: 0,
    status: executionStatusName(r.status),
    ...(startedAt ? { startedAt } : {}),
    ...(endedAt ? { endedAt } : {}),
    ...(scriptLog ? { scriptLog } : {}),
    ...(details.length ? { errorDetails: details.filter(Boolean).slice(-3) } : {}),
  };
}
