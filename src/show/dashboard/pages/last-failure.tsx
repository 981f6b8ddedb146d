/** @jsxImportSource hono/jsx */
// On a task's page, why its last failed run failed: the lines of the script log that state the failure (the same as
// the alert's), the likely cause Steward read from them, and a link to the run's event page. An incident links to
// the task page, and the reason was only on the event page before (issue 74).
import { keptScriptLog, logMessage } from "../../../hear/events/script-log-excerpt";
import { isTaskEvent, type TaskEvent } from "../../../platform/events/types";
import { ERROR_CLASS_TEXT } from "../../../tell/notify/history-vars";
import { Badge, Time } from "../components";
import type { EventTimeline } from "../event-timeline";
import type { RunRow } from "../run-history";

/** The event of that run that says it failed, while the timeline holds it (its newest 500 events). */
export function failedRunEvent(timeline: EventTimeline, executionId: string): { seq: number; event: TaskEvent } | undefined {
  for (const entry of timeline.entries()) {
    const e = entry.event;
    if (isTaskEvent(e) && e.executionId === executionId && e.outcome === "failed") return { seq: entry.seq, event: e };
  }
  return undefined;
}

/** The lines that state the failure, most telling first: the script log's, else the line the cause was read from. */
function errorLines(e: TaskEvent): string[] {
  const failures = e.scriptLog ? keptScriptLog(e.scriptLog).failures.map((f) => logMessage(f.text)) : [];
  if (failures.length > 0) return failures;
  const line = e.errorLine ?? e.logMessage;
  return line ? [line] : [];
}

export function LastFailureCard(props: { run: RunRow; latest: RunRow; found: { seq: number; event: TaskEvent } | undefined }) {
  const { run, latest, found } = props;
  const since = run.executionId === latest.executionId ? null : <> The task has run since: its last run {latest.outcome}.</>;
  if (!found) {
    return (
      <section class="card" id="last-failure">
        <h2>Why the last failed run failed</h2>
        <p>
          It ended <Time ms={run.finishedAt} /> on {run.host} (execution <span class="mono">{run.executionId}</span>). Its event, with the lines that say why,
          is no longer among the newest events Steward keeps.{since}
        </p>
      </section>
    );
  }
  const e = found.event;
  const lines = errorLines(e);
  return (
    <section class="card" id="last-failure">
      <h2>Why the last failed run failed</h2>
      <p class="small muted">
        It ended <Time ms={run.finishedAt} /> on {run.host}.{since}
      </p>
      {e.errorClass ? (
        <p data-role="error-class" data-error-class={e.errorClass}>
          Likely cause: <Badge tone="fail">{ERROR_CLASS_TEXT[e.errorClass]}</Badge> {e.errorHint ?? ""}
        </p>
      ) : null}
      {lines.length > 0 ? (
        <pre class="log-errors" data-role="error-lines">
          {lines.join("\n")}
        </pre>
      ) : (
        <p class="muted">Steward kept no line of this run that states the failure.</p>
      )}
      <div class="toolbar">
        <a class="btn" href={`/ui/events/${found.seq}`} data-link="run-event">
          Open the run's page
        </a>
        <span class="small muted">its whole script log, links to the QMC and the hub, and Run the task again</span>
      </div>
    </section>
  );
}
