/** @jsxImportSource hono/jsx */
// GET /ui/schedules: every schedule with an enable/disable switch, and bulk enable/disable by selection or tag.
import { ApiProblem, Badge, Empty, Time } from "../components";
import { Layout } from "../layout";
import { TaskName } from "./task-name";
import type { PageHandler } from "../types";

/** The fields of a /v4/schedules entry the dashboard shows. */
interface ScheduleView {
  id: string;
  name: string;
  cronSchedule?: string;
  timezone: string;
  qlikSenseTaskId: string;
  tags: string[];
  lastKnownState: "started" | "stopped";
  nextRun: string | null;
  timeWindow?: { from: string; to: string };
  trigger?: { on: string[]; taskIds: string[]; taskTags: string[] };
  lastRun?: { at: string; reason: string; result: string; error?: string };
}

export const schedulesPage: PageHandler = async (c, { api, inbox, siteClock, taskNames }) => {
  const res = await api<ScheduleView[]>(c, "/v4/schedules");
  const nav = { active: "schedules", inbox: inbox() !== undefined, clock: siteClock() };
  if (!res.ok) {
    return c.html(
      <Layout title="Schedules" nav={nav}>
        <ApiProblem status={res.status} error={res.error} what="Schedules" />
      </Layout>,
    );
  }
  const rows = [...res.data].sort((a, b) => a.name.localeCompare(b.name));
  // Names of the tasks each schedule starts and of the tasks an event trigger waits for, looked up together.
  const names = await taskNames.of([...rows.map((s) => s.qlikSenseTaskId), ...rows.flatMap((s) => s.trigger?.taskIds ?? [])]);
  const tags = [...new Set(rows.flatMap((s) => s.tags))].sort();
  const enabled = rows.filter((s) => s.lastKnownState === "started").length;
  return c.html(
    <Layout title="Schedules" nav={nav}>
      <div class="toolbar">
        <button type="button" data-action="bulk-start">
          Enable selected
        </button>
        <button type="button" data-action="bulk-stop">
          Disable selected
        </button>
        <span class="muted small" style="margin-left:12px">
          by tag
        </span>
        <select id="bulk-tag" aria-label="tag">
          <option value="">choose…</option>
          {tags.map((t) => (
            <option value={t}>{t}</option>
          ))}
        </select>
        <button type="button" data-action="tag-start">
          Enable tag
        </button>
        <button type="button" data-action="tag-stop">
          Disable tag
        </button>
        <span class="spacer"></span>
        <span class="small muted">
          {enabled} of {rows.length} enabled
        </span>
      </div>
      <section class="card tight">
        {rows.length === 0 ? (
          <Empty>No schedules. Create them with POST /v4/schedules or `steward schedules import`.</Empty>
        ) : (
          <table id="schedules">
            <thead>
              <tr>
                <th>
                  <input type="checkbox" data-select-all aria-label="select all" />
                </th>
                <th>Enabled</th>
                <th>Name</th>
                <th>When</th>
                <th>Starts task</th>
                <th>Tags</th>
                <th>Next run</th>
                <th>Last run</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr data-schedule={s.id} data-state={s.lastKnownState}>
                  <td>
                    <input type="checkbox" name="sel" value={s.id} aria-label={`select ${s.name}`} />
                  </td>
                  <td>
                    <label class="switch" title={s.lastKnownState === "started" ? "Enabled: click to disable" : "Disabled: click to enable"}>
                      <input type="checkbox" data-schedule-toggle data-id={s.id} data-name={s.name} checked={s.lastKnownState === "started"} />
                      <span></span>
                    </label>
                  </td>
                  <td>
                    <b>{s.name}</b>
                    <div class="mono muted">{s.id}</div>
                  </td>
                  <td class="small">
                    {s.cronSchedule ? <span class="mono">{s.cronSchedule}</span> : s.trigger ? <TriggerText t={s.trigger} names={names} /> : "—"}
                    <div class="muted">
                      {s.timezone}
                      {s.timeWindow ? ` · ${s.timeWindow.from}–${s.timeWindow.to}` : ""}
                    </div>
                  </td>
                  <td class="small" data-role="task">
                    <TaskName id={s.qlikSenseTaskId} name={names.get(s.qlikSenseTaskId.toLowerCase())} />
                  </td>
                  <td>
                    {s.tags.map((t) => (
                      <>
                        <Badge tone="info">{t}</Badge>{" "}
                      </>
                    ))}
                  </td>
                  <td>{s.lastKnownState === "started" ? <Time iso={s.nextRun} /> : <Badge tone="idle">disabled</Badge>}</td>
                  <td class="small">
                    {s.lastRun ? (
                      <span title={s.lastRun.error ?? s.lastRun.reason}>
                        <Time iso={s.lastRun.at} /> <Badge tone={s.lastRun.result === "failed" ? "fail" : "ok"}>{s.lastRun.result}</Badge>
                      </span>
                    ) : (
                      <span class="muted">never</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>,
  );
};

/** "when Reload Sales succeeded": a task by its name (its id only when QRS does not know it), a tag as "tag X". */
function TriggerText(props: { t: NonNullable<ScheduleView["trigger"]>; names: Map<string, string> }) {
  const what = [
    ...props.t.taskIds.map((id) => props.names.get(id.toLowerCase()) ?? `task ${id.slice(0, 8)}…`),
    ...props.t.taskTags.map((t) => `tag ${t}`),
  ].join(", ");
  return (
    <span>
      when {what} {props.t.on.join("/")}
    </span>
  );
}
