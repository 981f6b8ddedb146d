/** @jsxImportSource hono/jsx */
// GET /ui/watchdog: what needs attention (open watchdog conditions: missed starts, stopped chains, long runs,
// stale apps), what got back on track in the last day, per task the next expected start, the learned usual
// duration, its state and what it waits for in its chain (tasks and check-ins), and the check-ins. Read from /v4/watchdog.
import { ApiProblem, Badge, Empty, formatDuration, Time, type Tone } from "../components";
import type { LookPace } from "../../../watch/watchdog/look-pace";
import { Layout } from "../layout";
import { SiteText } from "../page-clock";
import { FRESHNESS_WORDS, type FreshnessState, isBehind } from "../../../watch/freshness/states";
import type { PageHandler } from "../types";
import { type CheckinLink, CheckinSection } from "./chain-links";
import { TaskTable, type TaskRow } from "./watchdog-tasks";

interface ConditionView {
  id: string;
  kind: string;
  title: string;
  summary: string;
  receivedAt: string;
  task?: { id: string; name: string };
  app?: { id: string; name: string };
  condition: { type: string; openedAt: string; closedAt?: string };
  /** A check-in's condition names its job; a node's queue backed up, its node. */
  data?: { check?: unknown; node?: unknown };
}

interface WatchdogView {
  enabled: boolean;
  lastLookAt?: string;
  pace?: LookPace;
  lastError?: string;
  problems: string[];
  open: ConditionView[];
  recentlyClosed: ConditionView[];
  tasks: TaskRow[];
  checkins?: CheckinLink[];
}

/** The look interval as it is (lengthened or not) and, when looks take longer than it, the warning and what to do. */
function LookPaceLine({ p }: { p: LookPace }) {
  return (
    <>
      <p class="small muted" id="look-pace">
        Looks every {p.interval} (watchdog.interval{p.lengthened ? ", lengthened from the default 1m" : ""})
        {p.lastLookStartedAt ? (
          <>
            ; the last look started <Time iso={p.lastLookStartedAt} /> and took {formatDuration(p.lastLookDurationMs ?? 0)}
          </>
        ) : null}
        {p.lookInProgressSince ? (
          <>
            ; a look is in progress since <Time iso={p.lookInProgressSince} />
          </>
        ) : null}
        .
      </p>
      {p.behind && p.note ? (
        <p class="small" id="looks-behind">
          <Badge tone="warn">falling behind</Badge> {p.note}
        </p>
      ) : null}
    </>
  );
}

const LABEL: Record<string, [string, Tone]> = {
  missed: ["missed start", "fail"],
  skipped: ["skipped run", "warn"],
  chain_broken: ["chain stopped", "fail"],
  running_long: ["running long", "warn"],
  stale: ["stale data", "warn"],
  retrying: ["retrying", "info"],
  disabled: ["turned off", "warn"],
  queue_backlog: ["queue backed up", "fail"],
  checkin_missed: ["missed check-in", "fail"],
  checkin_failed: ["job failed", "fail"],
  checkin_running_long: ["job running long", "warn"],
};

/** What a condition was, once it is over ("was running long"), under "Back on track". */
const PAST: Record<string, string> = {
  missed: "a missed start",
  skipped: "a skipped run",
  chain_broken: "a stopped chain",
  running_long: "running long",
  stale: "stale data",
  retrying: "retrying",
  disabled: "turned off",
  queue_backlog: "a queue backed up",
  checkin_missed: "a missed check-in",
  checkin_failed: "a failed job",
  checkin_running_long: "a job running long",
};

/** Every task or trigger that is not watched, with the reason and what to do: never silently skipped. */
function NotWatchedSection(props: { tasks: TaskRow[] }) {
  // Not watched at all, or watched with no start to expect (whatever its state says first), or a trigger not read.
  const reasonsOf = (t: TaskRow): string[] =>
    t.state === "not-watched" && t.stateReason ? [t.stateReason] : t.startsNotWatched ? [`starts not watched: ${t.startsNotWatched}`] : (t.notWatched ?? []);
  const rows = props.tasks.filter((t) => reasonsOf(t).length > 0);
  if (rows.length === 0) return null;
  return (
    <section class="card tight" id="not-watched">
      <h2>Not watched, and why</h2>
      <p class="small muted">
        A task disabled in the QMC, set StewardWatch=off or excluded by a watchdog rule is not watched. A task with no trigger (or only disabled ones) has no
        start to expect. A trigger Steward cannot read is judged by the time QRS states for it; with no time from QRS it is not watched: fix the trigger in the
        QMC, or set StewardWatch=off on the task to say it is not watched on purpose. See docs/watchdog.md.
      </p>
      <table>
        <thead>
          <tr>
            <th>Task</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr data-not-watched={t.id}>
              <td>
                <a href={`/ui/tasks/${encodeURIComponent(t.id)}`}>{t.name}</a>
              </td>
              <td class="small">
                {reasonsOf(t).map((r) => (
                  <div>
                    <SiteText text={r} />
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ConditionRow(props: { c: ConditionView; closed?: boolean; freshness?: { state: string; promise: string } | undefined }) {
  const c = props.c;
  const [label, tone] = LABEL[c.condition.type] ?? [c.condition.type, "warn"];
  const check = typeof c.data?.check === "string" ? c.data.check : undefined;
  // A node's reload queue (scheduler.queue_backlog) is about the node, not a task.
  const node = typeof c.data?.node === "string" ? c.data.node : undefined;
  const subject = c.task ? (
    <a href={`/ui/tasks/${encodeURIComponent(c.task.id)}`}>{c.task.name}</a>
  ) : c.app ? (
    c.app.name
  ) : check ? (
    `job "${check}"`
  ) : node ? (
    `node ${node}`
  ) : (
    "—"
  );
  return (
    <tr data-condition={c.condition.type} data-kind={c.kind}>
      <td>{props.closed ? <Badge tone="ok">{`was ${PAST[c.condition.type] ?? label}`}</Badge> : <Badge tone={tone}>{label}</Badge>}</td>
      <td>{subject}</td>
      <td class="small">
        <SiteText text={c.summary} />
        {props.freshness ? (
          <div>
            By its freshness promise "{props.freshness.promise}" it is {FRESHNESS_WORDS[props.freshness.state as FreshnessState] ?? props.freshness.state}:{" "}
            <a href={`/ui/freshness#app-${c.app!.id}`}>Freshness</a>.
          </div>
        ) : null}
      </td>
      <td>
        <Time iso={props.closed ? (c.condition.closedAt ?? c.receivedAt) : c.condition.openedAt} />
      </td>
    </tr>
  );
}

export const watchdogPage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const nav = { active: "watchdog", inbox: inbox() !== undefined, clock: siteClock() };
  const [res, fresh] = await Promise.all([
    api<WatchdogView>(c, "/v4/watchdog"),
    api<{ rows: Array<{ app: { id: string; name: string }; state: string; promise: string }> }>(c, "/v4/freshness"),
  ]);
  // The freshness promises answer "is this app's data on time?" by a deadline; the watchdog by the app's triggers.
  const lateApps = fresh.ok ? fresh.data.rows.filter((r) => isBehind(r.state)) : [];
  const freshnessOf = new Map(lateApps.map((r) => [r.app.id.toLowerCase(), r]));
  if (!res.ok) {
    return c.html(
      <Layout title="Watchdog" nav={nav}>
        <ApiProblem status={res.status} error={res.error} what="The watchdog" />
      </Layout>,
    );
  }
  const w = res.data;
  // Without the watchdog the check-ins are still judged: their conditions need attention all the same.
  if (!w.enabled && w.open.length === 0 && w.recentlyClosed.length === 0 && (w.checkins ?? []).length === 0)
    return c.html(
      <Layout title="Watchdog" nav={nav}>
        <Empty>
          The watchdog is off. Add a watchdog: block (and qlik:) to the config to be told about runs that did not happen; see{" "}
          <a href="/help/watchdog">the watchdog's help page</a>.
        </Empty>
      </Layout>,
    );
  return c.html(
    <Layout title="Watchdog" nav={nav}>
      <section class="card tight" id="needs-attention">
        <h2>
          Needs attention{" "}
          <span class="small muted">
            {w.lastLookAt ? (
              <>
                last look <Time iso={w.lastLookAt} />
              </>
            ) : (
              "not looked yet"
            )}
          </span>
        </h2>
        {w.pace ? <LookPaceLine p={w.pace} /> : null}
        {w.enabled ? null : (
          <p class="small">
            The watchdog is off (no watchdog: block or no qlik:), so only the jobs before Qlik (check-ins) are watched here; see{" "}
            <a href="/help/watchdog">the watchdog's help page</a>.
          </p>
        )}
        {w.lastError ? <p class="small">The last look at QRS failed: {w.lastError}</p> : null}
        {w.open.length === 0 ? (
          <Empty>
            Nothing: every watched task started when its triggers said, no run is taking unusually long, no app is stale by its triggers.
            {lateApps.length > 0 ? (
              <>
                {" "}
                {lateApps.length} promised {lateApps.length === 1 ? "app is" : "apps are"} late or at risk against {lateApps.length === 1 ? "its" : "their"}{" "}
                freshness promise: see <a href="/ui/freshness">Freshness</a>.
              </>
            ) : null}
          </Empty>
        ) : (
          <table>
            <tbody>
              {w.open.map((x) => (
                <ConditionRow c={x} freshness={x.app ? freshnessOf.get(x.app.id.toLowerCase()) : undefined} />
              ))}
            </tbody>
          </table>
        )}
      </section>
      {w.recentlyClosed.length > 0 ? (
        <section class="card tight" id="back-on-track">
          <h2>Back on track in the last day</h2>
          <table>
            <tbody>
              {w.recentlyClosed.map((x) => (
                <ConditionRow c={x} closed />
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <CheckinSection checkins={w.checkins ?? []} />
      <TaskTable tasks={w.tasks} checkins={w.checkins ?? []} />
      <NotWatchedSection tasks={w.tasks} />
      {w.problems.length > 0 ? (
        <section class="card tight" id="watchdog-problems">
          <h2>What Steward found in the plan</h2>
          <ul class="small">
            {w.problems.map((p) => (
              <li>
                <SiteText text={p} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Layout>,
  );
};
