/** @jsxImportSource hono/jsx */
// GET /ui/tasks/:id: one task's run history: its incident and who acknowledged it (task-incident.tsx), why its last
// failed run failed (last-failure.tsx), a chart of its last runs (duration, coloured by outcome) and the runs as a table.
import { Legend, RunChart } from "../charts";
import { Badge, Empty, Time, formatDuration, toneOf } from "../components";
import { Layout } from "../layout";
import { failedRunEvent, LastFailureCard } from "./last-failure";
import { actionsOf, moreOffer, retryOffer } from "./incident-actions";
import { latestIncidentOf, TaskIncidentCard } from "./task-incident";
import type { PageHandler } from "../types";

const RUNS = 60;

export const taskPage: PageHandler = async (c, { api, runs, timeline, inbox, siteClock, taskNames, runLinks, remediation }) => {
  const id = c.req.param("id") ?? "";
  const nav = { active: "events", inbox: inbox() !== undefined, clock: siteClock() };
  const rows = runs?.runsOf(id, RUNS) ?? [];
  const latest = rows[0];
  if (!latest) {
    // The schedules and watchdog pages link every task QRS lists, also one that has not run since Steward started
    // (a disabled task, a schedule's task before its first start): named, it is not "not found".
    const name = (await taskNames.of([id])).get(id.toLowerCase());
    return c.html(
      <Layout title={name ?? "Task not found"} nav={nav}>
        {name ? (
          <section class="card" id="task-summary">
            <dl class="props">
              <dt>Task id</dt>
              <dd class="mono">{id}</dd>
            </dl>
          </section>
        ) : null}
        <Empty>
          {name
            ? "No run of this task is in the history yet: Steward has heard of none in the last 35 days. Its runs show here from the next one on."
            : "No runs of this task are in the history (it keeps 35 days)."}
        </Empty>
      </Layout>,
      name ? 200 : 404,
    );
  }
  const incident = await latestIncidentOf(api, c, latest.taskId);
  // A failure heard of after the task's next success (a lost datagram) is shown as what it was: not paged.
  const links = runLinks ? await runLinks(rows.filter((r) => r.outcome !== "succeeded")) : new Map<string, { succeededBeforeHeardAt?: number }>();
  const heardLate = (r: (typeof rows)[number]) => links.get(`${r.executionId.toLowerCase()}:${r.outcome}`)?.succeededBeforeHeardAt;
  const actions = incident ? await actionsOf(api, c, incident.id) : [];
  const more = incident ? await moreOffer(api, c, incident, remediation, latest.appName ?? undefined) : undefined;
  const count = (o: string) => rows.filter((r) => r.outcome === o).length;
  const lastFailed = rows.find((r) => r.outcome === "failed");
  const durations = rows.map((r) => r.durationMs).filter((d): d is number => d !== null);
  const avg = durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : undefined;
  return c.html(
    <Layout title={latest.taskName} nav={nav}>
      <section class="card" id="task-summary">
        <dl class="props">
          <dt>Task id</dt>
          <dd class="mono">{latest.taskId}</dd>
          <dt>Type</dt>
          <dd>{latest.taskType}</dd>
          {latest.appName ? (
            <>
              <dt>App</dt>
              <dd>{latest.appName}</dd>
            </>
          ) : null}
          <dt>Last run</dt>
          <dd>
            <Badge tone={toneOf(latest.outcome)}>{latest.outcome}</Badge> <Time ms={latest.finishedAt} />
          </dd>
          <dt>{rows.length === 1 ? "The only run" : `Last ${rows.length} runs`}</dt>
          <dd>
            {`${count("succeeded")} succeeded, ${count("failed")} failed, ${count("aborted")} aborted`}
            {avg !== undefined ? ` · average ${formatDuration(avg)}, longest ${formatDuration(Math.max(...durations))}` : ""}
          </dd>
        </dl>
      </section>
      {incident ? <TaskIncidentCard i={incident} actions={actions} retryDelays={retryOffer(c, incident, remediation)} more={more} /> : null}
      {lastFailed ? <LastFailureCard run={lastFailed} latest={latest} found={failedRunEvent(timeline, lastFailed.executionId)} /> : null}
      <section class="card" id="task-runs">
        <h2>
          Run history{" "}
          <span class="small muted">{rows.length === 1 ? "one run so far" : `the last ${rows.length} runs, oldest on the left`}; height is the duration</span>
        </h2>
        <RunChart runs={rows} />
        <Legend
          items={[
            ["ok", "succeeded"],
            ["warn", "aborted"],
            ["fail", "failed"],
          ]}
        />
      </section>
      <section class="card tight">
        <table id="runs">
          <thead>
            <tr>
              <th>Finished</th>
              <th>Outcome</th>
              <th class="right">Duration</th>
              <th>Host</th>
              <th>Execution</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr data-outcome={r.outcome}>
                <td>
                  <Time ms={r.finishedAt} />
                </td>
                <td>
                  <Badge tone={toneOf(r.outcome)}>{r.outcome}</Badge>
                  {heardLate(r) !== undefined ? (
                    <div class="muted small heard-late">
                      ran again successfully at <Time ms={heardLate(r)!} /> before Steward heard of the failure: not paged
                    </div>
                  ) : null}
                </td>
                <td class="right nowrap">{r.durationMs === null ? <span class="muted">—</span> : formatDuration(r.durationMs)}</td>
                <td>{r.host}</td>
                <td class="mono small">{r.executionId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>,
  );
};
