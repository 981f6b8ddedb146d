/** @jsxImportSource hono/jsx */
// GET /ui/events (the timeline, filterable by kind) and GET /ui/events/:seq (one event with its script log).
import { isEngineReloadKind, isTaskEvent, type TaskEvent } from "../../../platform/events/types";
import { Badge, Empty, Time, formatDuration, toneOf } from "../components";
import { eventTitle } from "../event-timeline";
import { Layout } from "../layout";
import { SiteText } from "../page-clock";
import type { PageHandler } from "../types";
import { EventList } from "./event-list";
import { ScriptLogCard } from "./script-log-card";
import { ReloadActions, ReloadProps } from "./reload-event-card";

const FILTERS: Array<[string, string]> = [
  ["", "All"],
  ["task.failed", "Failed"],
  ["task.aborted", "Aborted"],
  ["task.succeeded", "Succeeded"],
  ["service.stopped", "Service stopped"],
  ["service.started", "Service started"],
  // Every cloud.automation.* event (a kind names its family too: see `matches`).
  ["cloud.automation", "Automations"],
];

/** A filter is one kind, or a family of kinds by their common prefix (`cloud.automation` → `cloud.automation.failed`, …). */
const matches = (kind: string, filter: string) => !filter || kind === filter || kind.startsWith(`${filter}.`);

export const eventsPage: PageHandler = async (c, { timeline, inbox, siteClock }) => {
  const kind = c.req.query("kind") ?? "";
  const entries = timeline.entries().filter((e) => matches(e.event.kind, kind));
  return c.html(
    <Layout title="Events" nav={{ active: "events", inbox: inbox() !== undefined, clock: siteClock() }}>
      <div class="toolbar">
        {FILTERS.map(([k, label]) => (
          <a class="btn" href={k ? `/ui/events?kind=${k}` : "/ui/events"} style={k === kind ? "background:var(--info-bg);font-weight:600" : undefined}>
            {label}
          </a>
        ))}
        <span class="spacer"></span>
        <a class="btn" href="/ui/reloads">
          Reloads outside the Scheduler
        </a>
        <span class="small muted">The last {timeline.entries().length} events (kept in the store; the newest 500).</span>
      </div>
      <section class="card">
        <EventList entries={entries} />
      </section>
    </Layout>,
  );
};

/** Site and data-check events carry a summary and facts for people: shown as such, not as JSON. */
function hasFacts(e: unknown): e is { summary: string; facts: Array<{ name: string; value: string }> } {
  return typeof e === "object" && e !== null && typeof (e as { summary?: unknown }).summary === "string" && Array.isArray((e as { facts?: unknown }).facts);
}

export const eventDetailPage: PageHandler = async (c, { timeline, inbox, siteClock }) => {
  const entry = timeline.get(Number(c.req.param("seq")));
  const nav = { active: "events", inbox: inbox() !== undefined, clock: siteClock() };
  if (!entry) {
    return c.html(
      <Layout title="Event not found" nav={nav}>
        <Empty>This event is no longer in memory.</Empty>
      </Layout>,
      404,
    );
  }
  const e = entry.event;
  return c.html(
    <Layout title={eventTitle(e)} nav={nav}>
      <section class="card">
        <h2>
          <Badge tone={toneOf(e.kind)}>{e.kind}</Badge> <Time ms={entry.seenAt} />
        </h2>
        {isTaskEvent(e) ? isEngineReloadKind(e.kind) ? <ReloadProps e={e} /> : <TaskProps e={e} /> : null}
        {isTaskEvent(e) ? isEngineReloadKind(e.kind) ? <ReloadActions e={e} /> : <TaskActions e={e} /> : null}
      </section>
      {isTaskEvent(e) && e.scriptLog ? <ScriptLogCard log={e.scriptLog} /> : null}
      {hasFacts(e) ? (
        <section class="card" id="event-facts">
          <p>
            <SiteText text={e.summary} />
          </p>
          {e.facts.length > 0 ? (
            <dl class="props">
              {e.facts.map((f) => (
                <>
                  <dt>{f.name}</dt>
                  <dd>
                    <SiteText text={String(f.value)} />
                  </dd>
                </>
              ))}
            </dl>
          ) : null}
        </section>
      ) : null}
      <details class="card">
        <summary>Event payload (JSON)</summary>
        <pre>
          {JSON.stringify(
            {
              ...e,
              scriptLog:
                isTaskEvent(e) && e.scriptLog ? { ...e.scriptLog, text: e.scriptLog.text ? `(${e.scriptLog.text.length} characters)` : undefined } : undefined,
            },
            null,
            2,
          )}
        </pre>
      </details>
    </Layout>,
  );
};

/** Where to go from a run: its task's history, the task in the QMC, the app in the hub; and starting it again. */
function TaskActions(props: { e: TaskEvent }) {
  const e = props.e;
  const links = e.links ?? {};
  return (
    <div class="toolbar" id="task-actions">
      <a class="btn" href={`/ui/tasks/${encodeURIComponent(e.task.id)}`}>
        Run history of this task
      </a>
      {links.qmcTask ? (
        <a class="btn" href={links.qmcTask} target="_blank" rel="noopener noreferrer" data-link="qmc">
          Open the QMC's tasks
        </a>
      ) : null}
      {links.hubApp ? (
        <a class="btn" href={links.hubApp} target="_blank" rel="noopener noreferrer" data-link="hub">
          Open the app in the hub
        </a>
      ) : null}
      <span class="spacer"></span>
      <button type="button" class="primary" data-action="start-task" data-id={e.task.id} data-name={e.task.name || e.task.id}>
        {e.outcome === "succeeded" ? "Start the task now" : "Run the task again"}
      </button>
    </div>
  );
}

function TaskProps(props: { e: TaskEvent }) {
  const e = props.e;
  const rows: Array<[string, string | undefined]> = [
    ["Task", `${e.task.name} (${e.taskType})`],
    ["Task id", e.task.id],
    ["App", e.app ? `${e.app.name}${e.app.stream ? ` · stream ${e.app.stream}` : ""}` : undefined],
    ["App owner", e.app?.owner ? `${e.app.owner.name ?? e.app.owner.userId} ${e.app.owner.emails.join(", ")}` : undefined],
    ["Host", e.host],
    ["User", e.user],
    [
      "Execution",
      e.execution ? `${e.execution.status}${e.execution.durationMs !== undefined ? `, ${formatDuration(e.execution.durationMs)}` : ""}` : undefined,
    ],
    ["Tags", e.task.tags.join(", ") || undefined],
    ["Learnt via", e.source],
    ["Message", e.logMessage],
    ["Missing", e.complete ? undefined : e.missing.map((m) => `${m.item}: ${m.reason}`).join("; ")],
  ];
  return (
    <dl class="props">
      {rows
        .filter(([, v]) => v !== undefined && v !== "")
        .map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </>
        ))}
    </dl>
  );
}
