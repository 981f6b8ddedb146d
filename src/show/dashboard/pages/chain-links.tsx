/** @jsxImportSource hono/jsx */
// The chain on /ui/watchdog: what each task waits for (the tasks its task-event triggers name, and the jobs before
// Qlik that check in and are named upstream of it), and the check-ins themselves with their state.
import { Badge, Time, type Tone } from "../components";

export interface CheckinLink {
  name: string;
  state: string;
  feeds: { tasks: string[]; apps: string[] };
  lastSuccessAt: string | null;
  note: string | null;
}

const CHECKIN_STATE: Record<string, [string, Tone]> = {
  ok: ["checked in", "ok"],
  waiting: ["no ping yet", "info"],
  running: ["running", "info"],
  missed: ["missed", "fail"],
  failed: ["failed", "fail"],
  running_long: ["running long", "warn"],
};

export function CheckinBadge(props: { c: CheckinLink }) {
  const [label, tone] = CHECKIN_STATE[props.c.state] ?? [props.c.state, "warn"];
  return (
    <span data-checkin={props.c.name} data-checkin-state={props.c.state}>
      {props.c.name} <Badge tone={tone}>{label}</Badge>
    </span>
  );
}

/** The "waits for" cell of a task row. */
export function Upstreams(props: { tasks: Array<{ id: string; name: string }>; checkins: string[]; all: CheckinLink[] }) {
  const checks = props.checkins.flatMap((n) => props.all.filter((c) => c.name === n));
  if (props.tasks.length === 0 && checks.length === 0) return <span class="muted">—</span>;
  return (
    <>
      {checks.map((c) => (
        <>
          <CheckinBadge c={c} />{" "}
        </>
      ))}
      {props.tasks.map((t, i) => (
        <>
          {i > 0 || checks.length > 0 ? ", " : ""}
          <a href={`/ui/tasks/${encodeURIComponent(t.id)}`}>{t.name}</a>
        </>
      ))}
    </>
  );
}

/** The jobs before Qlik: each check-in, its state and what it is upstream of. */
export function CheckinSection(props: { checkins: CheckinLink[] }) {
  if (props.checkins.length === 0) return null;
  return (
    <section class="card tight" id="checkins-in-chains">
      <h2>Jobs before Qlik (check-ins)</h2>
      <table>
        <thead>
          <tr>
            <th>Job</th>
            <th>Last success</th>
            <th>Upstream of</th>
          </tr>
        </thead>
        <tbody>
          {props.checkins.map((c) => (
            <tr data-checkin-row={c.name}>
              <td>
                <CheckinBadge c={c} />
                {c.note ? <div class="small">{c.note}</div> : null}
              </td>
              <td>{c.lastSuccessAt ? <Time iso={c.lastSuccessAt} /> : "—"}</td>
              <td class="small">{[...c.feeds.tasks.map((t) => `task ${t}`), ...c.feeds.apps.map((a) => `app ${a}`)].join(", ") || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
