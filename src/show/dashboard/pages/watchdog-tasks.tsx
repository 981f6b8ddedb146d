/** @jsxImportSource hono/jsx */
// The task table of /ui/watchdog: per task one state (from GET /v4/watchdog's `state`, task-state.ts), the next
// expected start, how long it usually takes and when a run counts as long (in words), its last run and what it waits for.
import { Badge, formatDuration, Time, type Tone } from "../components";
import type { TaskStateCode } from "../../../watch/watchdog/task-state";
import { type CheckinLink, Upstreams } from "./chain-links";

export interface TaskRow {
  /** Successful runs the usual duration is learned from (shown while it is not known yet). */
  learnsFrom?: number | null;
  id: string;
  name: string;
  watched: boolean;
  state: TaskStateCode;
  stateText: string;
  stateReason?: string | null;
  /** Why no start can be expected of a watched task (its state may say something more urgent first). */
  startsNotWatched?: string | null;
  notWatched?: string[];
  triggers?: Array<{ name: string; watch: string; reason?: string }>;
  nextExpectedAt: string | null;
  usualMs: number | null;
  limitMs: number | null;
  limitWords?: string | null;
  staleHeldBack?: string | null;
  samples: number;
  runningSince: string | null;
  lastRunAt: string | null;
  lastStatus: number | null;
  afterTasks?: Array<{ id: string; name: string }>;
  afterCheckins?: string[];
}

const TONE: Record<TaskStateCode, Tone> = {
  missed: "fail",
  "chain-stopped": "fail",
  "running-long": "warn",
  skipped: "warn",
  retrying: "info",
  stale: "warn",
  "turned-off": "warn",
  "not-watched": "idle",
  "failed-last-run": "fail",
  "aborted-last-run": "warn",
  running: "info",
  "starts-not-watched": "idle",
  "on-track": "ok",
};

const STATUS: Record<number, [string, Tone]> = {
  6: ["aborted", "warn"],
  7: ["succeeded", "ok"],
  8: ["failed", "fail"],
  9: ["skipped", "warn"],
  10: ["failed, retrying", "fail"],
  11: ["failed", "fail"],
};

/** Why no next start is shown: the state says it when starts are not watched; else QRS's "never" or a trigger not read. */
function nothingExpected(t: TaskRow): string {
  if (t.state === "not-watched" || t.state === "starts-not-watched" || t.startsNotWatched) return "—";
  if ((t.afterTasks ?? []).length > 0) return "after the tasks it waits for";
  if ((t.triggers ?? []).some((x) => x.watch === "not-watched")) return "not watched (see below)";
  return "none";
}

/** The state as a badge, and what follows its first colon (the reason, how long) beside it in plain text. */
function StateCell(props: { t: TaskRow }) {
  const text = props.t.stateText;
  const cut = text.indexOf(": ");
  const [head, tail] = cut > 0 ? [text.slice(0, cut), text.slice(cut + 2)] : [text, ""];
  return (
    <span data-state-text={text}>
      <Badge tone={TONE[props.t.state] ?? "info"}>{head}</Badge>
      {tail ? <div class="small">{tail}</div> : null}
    </span>
  );
}

function TaskTableRow(props: { t: TaskRow; checkins: CheckinLink[] }) {
  const t = props.t;
  const last = t.lastStatus !== null ? STATUS[t.lastStatus] : undefined;
  return (
    <tr data-task={t.id} data-state={t.state}>
      <td>
        <a href={`/ui/tasks/${encodeURIComponent(t.id)}`}>{t.name}</a>
      </td>
      <td>
        <StateCell t={t} />
        {t.staleHeldBack ? <div class="small muted">app past due, not paged: {t.staleHeldBack}</div> : null}
      </td>
      <td>
        {t.nextExpectedAt ? <Time iso={t.nextExpectedAt} /> : <span class="muted">{nothingExpected(t)}</span>}
        {(t.triggers ?? []).some((x) => x.watch === "qrs") ? <span class="muted small"> (QRS's time)</span> : null}
      </td>
      <td>
        {t.usualMs !== null ? (
          formatDuration(t.usualMs)
        ) : (
          <span class="muted">learning{t.learnsFrom ? `: known after ${t.learnsFrom} successful runs` : ""}</span>
        )}
      </td>
      <td>
        {t.limitMs !== null ? formatDuration(t.limitMs) : "—"}
        {t.limitWords ? <div class="small muted">{t.limitWords}</div> : null}
      </td>
      <td>
        {t.lastRunAt ? <Time iso={t.lastRunAt} /> : "—"} {last ? <Badge tone={last[1]}>{last[0]}</Badge> : null}
      </td>
      <td class="small">
        <Upstreams tasks={t.afterTasks ?? []} checkins={t.afterCheckins ?? []} all={props.checkins} />
      </td>
    </tr>
  );
}

export function TaskTable(props: { tasks: TaskRow[]; checkins: CheckinLink[] }) {
  return (
    <section class="card tight" id="watched-tasks">
      <h2>Tasks</h2>
      <table>
        <thead>
          <tr>
            <th>Task</th>
            <th>State</th>
            <th>Next expected start</th>
            <th>Usually takes</th>
            <th>Long after</th>
            <th>Last run</th>
            <th>Waits for</th>
          </tr>
        </thead>
        <tbody>
          {props.tasks.map((t) => (
            <TaskTableRow t={t} checkins={props.checkins} />
          ))}
        </tbody>
      </table>
    </section>
  );
}
