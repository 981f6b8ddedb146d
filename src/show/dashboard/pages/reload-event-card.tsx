/** @jsxImportSource hono/jsx */
// One reload outside the Scheduler on its event page (app.reload_failed, app.reload_succeeded): an app someone
// reloaded from the hub, the data load editor or the Engine API, told as such: the app, who, from where, the node and
// "failed", with no task to show the history of or to start again.
import type { TaskEvent } from "../../../platform/events/types";
import { formatDuration } from "../components";

const FROM = { proxy: "the hub or the data load editor (through the Qlik Proxy)", "engine-api": "the Engine API (not through the Qlik Proxy)" } as const;

export function ReloadProps(props: { e: TaskEvent }) {
  const e = props.e;
  const ex = e.execution;
  const rows: Array<[string, string | undefined]> = [
    ["App", e.app ? `${e.app.name}${e.app.stream ? ` · stream ${e.app.stream}` : ""}` : undefined],
    ["App id", e.app?.id ?? e.task.id],
    ["App owner", e.app?.owner ? `${e.app.owner.name ?? e.app.owner.userId} ${e.app.owner.emails.join(", ")}` : undefined],
    ["Reloaded by", e.user],
    ["Started from", e.startedVia ? FROM[e.startedVia] : undefined],
    ["Node", ex?.executingNode || e.host],
    ["Outcome", `${e.outcome}${ex?.durationMs !== undefined ? `, after ${formatDuration(ex.durationMs)}` : ""}`],
    ["Message", e.logMessage],
    ["Missing", e.complete ? undefined : e.missing.map((m) => `${m.item}: ${m.reason}`).join("; ")],
  ];
  return (
    <dl class="props" data-role="reload-outside-scheduler">
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

/** Where to go from it: every reload outside the Scheduler, and the app in the hub. */
export function ReloadActions(props: { e: TaskEvent }) {
  const hub = props.e.links?.hubApp;
  return (
    <div class="toolbar" id="reload-actions">
      <a class="btn" href="/ui/reloads">
        Reloads outside the Scheduler
      </a>
      {hub ? (
        <a class="btn" href={hub} target="_blank" rel="noopener noreferrer" data-link="hub">
          Open the app in the hub
        </a>
      ) : null}
    </div>
  );
}
