// Steward checks its own ears for the Engine (docs/engine-reloads.md, "Are the lines complete?"): every reload the
// Scheduler runs is a reload the Engine logs on the node that ran it. Once an Engine line has come from a node, a
// Scheduler reload there that QRS confirmed ended well with no Engine line from the node around it means the node's
// Engine lines do not all reach Steward (the appender file gone or without a logger, the audit activity log level Off,
// a filter): the node is marked incomplete (/ready and the doctor, degraded but not down) and one steward.degraded
// says what to check; the node's next line ends it with one steward.recovered.
// The state is in the store the Stewards of a cluster share: one Steward may hear a node's Engine lines while another
// claims its Scheduler run, a restart must not forget a node that went quiet (it would never be said again), and each
// change is one conditional statement, so each is said once per site.
import type { Logger } from "pino";
import type { Clock, Timer } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { ReadinessCheck } from "../../platform/core/readiness";
import { inFlight } from "../../platform/core/stepped-clock";
import { siteEvent } from "../../platform/events/site-event";
import type { SiteEvent } from "../../platform/events/types";
import type { SqlDb } from "../../platform/store/sql";
import { shortNode } from "./reload-tracker";

/** A node's line is written down at most this often: a busy Engine sends many a minute. */
export const LINE_WRITE_MS = 60_000;
/** Nodes followed per process; far above any site's, so only a flood of forged host names meets it. */
export const MAX_LINE_NODES = 500;
export const ENGINE_LINES_COMPONENT = "engine-lines";

export interface LinesCheckDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  emit(e: SiteEvent): void;
  formatTime(ms: number): string;
  /** This Steward (named in the events). */
  instance: string;
  /** How long after a Scheduler reload its node's Engine lines are awaited. */
  withinMs: number;
  /** The UDP port the appenders send to, for the advice. */
  udpPort?: number;
}

/** A node whose Engine lines stopped coming while its Scheduler ran reloads. */
export interface IncompleteNode {
  node: string;
  /** The node's host name as the Engine's lines gave it. */
  host: string;
  since: number;
  /** The Scheduler task whose reload had no Engine line. */
  task: string;
  lastLine: number;
  fix: string;
}

/** A Scheduler reload QRS confirmed as ended well: the Engine reloaded the app, so it logged it. */
export interface SchedulerReload {
  /** The executing node as QRS names it. */
  host: string;
  taskName: string;
  startMs: number;
}

export interface LinesCheck {
  /** A line from the Engine of `host` reached Steward (any of its lines, parsed). */
  line(host: string): void;
  schedulerReload(r: SchedulerReload): void;
  incomplete(): Promise<IncompleteNode[]>;
  /** Not required: a node's missing lines make Steward degraded, not down. */
  readiness: ReadinessCheck;
  stop(): void;
  settled(): Promise<void>;
}

/** What an admin checks on the node (said in the event, /ready and the doctor). */
export function engineLinesFix(host: string, udpPort?: number): string {
  return (
    `On ${host}: C:\\ProgramData\\Qlik\\Sense\\Engine\\LocalLogConfig.xml must be there (an upgrade of Qlik Sense removes it) and bind ` +
    "Steward's appender to the loggers System.Engine, AuditActivity.Engine and Service.Engine, with a filter that lets the reload lines through " +
    "(`steward appender-xml --engine --check <file>` says what is missing); the Qlik Sense Engine Service must have been restarted since. " +
    `In the QMC, Engines > ${host} > Logging: the Audit activity log level must not be Off.` +
    (udpPort ? ` UDP port ${udpPort} to Steward must be open from ${host}.` : "")
  );
}

type NodeRow = { node: string; host: string; last_line_at: number; incomplete_since: number | null; incomplete_task: string | null };

async function incompleteNodes(deps: Pick<LinesCheckDeps, "db" | "udpPort">): Promise<IncompleteNode[]> {
  const rows = await deps.db.all<NodeRow>(
    "SELECT node, host, last_line_at, incomplete_since, incomplete_task FROM engine_line_nodes WHERE incomplete_since IS NOT NULL ORDER BY node",
  );
  return rows.map((r) => ({
    node: r.node,
    host: r.host,
    since: Number(r.incomplete_since),
    task: r.incomplete_task ?? "",
    lastLine: Number(r.last_line_at),
    fix: engineLinesFix(r.host, deps.udpPort),
  }));
}

function linesReadiness(deps: Pick<LinesCheckDeps, "formatTime">, incomplete: () => Promise<IncompleteNode[]>): ReadinessCheck {
  return {
    name: ENGINE_LINES_COMPONENT,
    required: false,
    async check() {
      const nodes = await incomplete();
      if (nodes.length === 0) return { ok: true, detail: "every node whose Engine sends lines sent them for its Scheduler's reloads" };
      return {
        ok: false,
        detail: nodes.map((n) => `Engine lines incomplete on ${n.host} since ${deps.formatTime(n.since)} (task "${n.task}")`).join("; "),
      };
    },
  };
}

function degradedEvent(
  deps: Pick<LinesCheckDeps, "instance" | "formatTime" | "udpPort">,
  n: { node: string; host: string; task: string; since: number; lastLine: number },
  now: number,
): SiteEvent {
  const fix = engineLinesFix(n.host, deps.udpPort);
  const detail = `Engine lines incomplete on ${n.host}: the Scheduler's reload "${n.task}" there had no Engine line (the last came at ${deps.formatTime(n.lastLine)})`;
  return siteEvent(
    "steward.degraded",
    `engine-lines:${n.node}:${n.since}`,
    n.host,
    now,
    {
      title: `Steward on ${deps.instance} is degraded: Engine lines incomplete on ${n.host}`,
      summary: `${detail}: reloads from the hub, the editor and the Engine API on ${n.host} may fail unheard. ${fix}`,
    },
    {
      instance: deps.instance,
      component: `${ENGINE_LINES_COMPONENT}:${n.host}`,
      node: n.host,
      task: n.task,
      detail,
      since: new Date(n.since).toISOString(),
      lastLine: new Date(n.lastLine).toISOString(),
      fix,
    },
  );
}

function recoveredEvent(deps: Pick<LinesCheckDeps, "instance" | "formatTime">, node: string, host: string, since: number, now: number): SiteEvent {
  return siteEvent(
    "steward.recovered",
    `engine-lines:${node}:${since}`,
    host,
    now,
    {
      title: `Steward on ${deps.instance} hears the Engine of ${host} again`,
      summary: `An Engine line from ${host} reached Steward at ${deps.formatTime(now)}, the first since its lines went missing at ${deps.formatTime(since)}: reloads outside the Scheduler on ${host} are heard again.`,
    },
    {
      instance: deps.instance,
      component: `${ENGINE_LINES_COMPONENT}:${host}`,
      node: host,
      since: new Date(since).toISOString(),
      detail: `Engine lines from ${host} arrive again`,
    },
  );
}

export function createLinesCheck(deps: LinesCheckDeps): LinesCheck {
  const log = deps.log.child({ module: "engine-lines-check" });
  const { db, clock } = deps;
  const written = new Map<string, number>();
  /** Per node, the earliest start of a Scheduler reload whose Engine lines are awaited, and its timer. */
  const awaiting = new Map<string, { startMs: number; task: string; host: string; timer: Timer }>();
  const pending = new Set<Promise<void>>();
  let overflowLogged = false;

  function track(work: Promise<void>, what: string): void {
    const p = inFlight(clock, work, what).catch((err: unknown) => log.warn({ err: describeError(err) }, `cannot ${what}`));
    const done = p.finally(() => pending.delete(done));
    pending.add(done);
  }

  async function heard(node: string, host: string, now: number): Promise<void> {
    await db.run(
      `INSERT INTO engine_line_nodes (node, host, first_line_at, last_line_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (node) DO UPDATE SET last_line_at = excluded.last_line_at, host = excluded.host`,
      [node, host, now, now],
    );
    const was = await db.get<{ incomplete_since: number }>("SELECT incomplete_since FROM engine_line_nodes WHERE node = ? AND incomplete_since IS NOT NULL", [
      node,
    ]);
    if (!was) return;
    const cleared = await db.run("UPDATE engine_line_nodes SET incomplete_since = NULL, incomplete_task = NULL WHERE node = ? AND incomplete_since = ?", [
      node,
      was.incomplete_since,
    ]);
    if (cleared.changes === 0) return; // another Steward heard it first
    const since = Number(was.incomplete_since);
    log.info({ node: host, since: new Date(since).toISOString() }, "Engine lines arrive again");
    deps.emit(recoveredEvent(deps, node, host, since, now));
  }

  async function judge(node: string): Promise<void> {
    const a = awaiting.get(node);
    awaiting.delete(node);
    if (!a) return;
    const row = await db.get<NodeRow>("SELECT node, host, last_line_at, incomplete_since, incomplete_task FROM engine_line_nodes WHERE node = ?", [node]);
    // Never heard: the Engine's file may simply not be installed there (nothing to expect yet).
    if (!row || row.incomplete_since != null) return;
    const lastLine = Number(row.last_line_at);
    // A line is written down late by up to LINE_WRITE_MS.
    if (lastLine + LINE_WRITE_MS >= a.startMs) return;
    const now = clock.now();
    const took = await db.run(
      "UPDATE engine_line_nodes SET incomplete_since = ?, incomplete_task = ? WHERE node = ? AND incomplete_since IS NULL AND last_line_at = ?",
      [a.startMs, a.task, node, row.last_line_at],
    );
    if (took.changes === 0) return; // another Steward said it first, or a line came meanwhile
    const event = degradedEvent(deps, { node, host: row.host, task: a.task, since: a.startMs, lastLine }, now);
    log.error({ node: row.host, task: a.task, lastLine: new Date(lastLine).toISOString() }, event.summary);
    deps.emit(event);
  }

  const incomplete = () => incompleteNodes(deps);

  return {
    line(host) {
      const node = shortNode(host);
      if (!node) return;
      const now = clock.now();
      const last = written.get(node);
      if (last === undefined && written.size >= MAX_LINE_NODES) {
        if (!overflowLogged) log.warn({ max: MAX_LINE_NODES, host }, "Engine lines name more hosts than a site has nodes; new host names are not checked");
        overflowLogged = true;
        return;
      }
      if (last !== undefined && now - last < LINE_WRITE_MS) return;
      written.set(node, now);
      track(
        heard(node, host, now).catch((err: unknown) => {
          written.delete(node); // written with the next line instead
          throw err;
        }),
        "record an Engine line's node",
      );
    },
    schedulerReload(r) {
      const node = shortNode(r.host);
      if (!node || awaiting.has(node) || awaiting.size >= MAX_LINE_NODES) return;
      const timer = clock.setTimeout(() => {
        const work = judge(node).catch((err: unknown) => log.warn({ node: r.host, err: describeError(err) }, "cannot check a node's Engine lines"));
        track(work, "check a node's Engine lines");
        return work;
      }, deps.withinMs);
      awaiting.set(node, { startMs: r.startMs, task: r.taskName, host: r.host, timer });
    },
    incomplete,
    readiness: linesReadiness(deps, incomplete),
    stop() {
      for (const a of awaiting.values()) clock.clearTimeout(a.timer);
      awaiting.clear();
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
