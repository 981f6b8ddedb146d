// A node whose Scheduler no longer sends task events (the appender file gone after an upgrade, a firewall change):
// its runs reach Steward only through reconciliation, minutes late, and nobody would know why. Per node (by its
// short host name: a datagram may say sense2 where QRS says sense2.corp.example), runs found only by
// reconciliation are counted; when `minRuns` of them ended within the window and no datagram came from the node
// since the first, intake.node_silent is raised once, and the node's next datagram ends it (intake.node_recovered).
// A node is heard only through a datagram's run that QRS confirmed, under the name QRS gives its executing node: a
// datagram alone is anyone's word (a forged one would end a silence, or fill this table with invented hosts), so
// every node here, heard or reconciled, is one QRS named.
// The state is in the store the Stewards of a cluster share: reconciliation runs on one of them, the datagrams
// reach another, and each change is one conditional statement, so each is said once.
import type { Logger } from "pino";
import type { IntakeConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import type { ReadinessCheck } from "../../platform/core/readiness";
import { describeError } from "../../platform/core/errors";
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";
import { siteEvent } from "../../platform/events/site-event";
import type { SiteEvent } from "../../platform/events/types";

export const nodeSilenceMigrations: MigrationSet = {
  module: "intake-nodes",
  migrations: [
    {
      version: 1,
      name: "per node: last datagram, silence, runs heard only from QRS",
      sql: `
        CREATE TABLE intake_nodes (node TEXT PRIMARY KEY, host TEXT NOT NULL, last_datagram_at INTEGER, silent_since INTEGER);
        CREATE TABLE intake_node_reconciled (
          node TEXT NOT NULL, execution_id TEXT NOT NULL, stop_at INTEGER NOT NULL, PRIMARY KEY (node, execution_id)
        );
        CREATE INDEX intake_node_reconciled_stop ON intake_node_reconciled (stop_at);`,
    },
  ],
};

/** A datagram is written down at most this often per node: a busy node sends many a minute. */
export const HEARD_WRITE_MS = 60_000;
/**
 * Host names followed per process. Far above any site's node count; the names come from QRS's execution results,
 * so this only guards against a QRS that names a new node for every run.
 */
export const MAX_NODES = 500;

export interface NodeSilenceDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  emit(e: SiteEvent): void;
  /** Times inside sentences, in the site's zone. */
  formatTime(ms: number): string;
  /** The UDP port the appender sends to, for the event's advice. */
  udpPort: number;
}

export interface NodeSilence {
  /** A run reconciliation emitted; `excused`: a Steward was down or catching up, so its datagram had nowhere to go. */
  reconciled(host: string, executionId: string, stopMs: number, excused: boolean): void;
  /** A datagram's run QRS confirmed; `host` is the executing node as QRS names it (never the datagram's text). */
  heard(host: string): void;
  start(): void;
  /** Resolves when the datagrams' writes started so far are done. */
  settled(): Promise<void>;
  /** The nodes silent now, as the store says (any Steward of the cluster may have found them). */
  silent(): Promise<SilentNode[]>;
  /** Not required: a silent node's runs still arrive, minutes late, through reconciliation. */
  readiness: ReadinessCheck;
}

/** What an admin does about a node whose Scheduler's datagrams do not arrive (said in the event, /ready and the doctor). */
export function schedulerAppenderFix(host: string, udpPort: number): string {
  return `On ${host}, check that C:\\ProgramData\\Qlik\\Sense\\Scheduler\\LocalLogConfig.xml is there (an upgrade of Qlik Sense removes it; steward appender-xml writes it) and the Qlik Sense Scheduler Service was restarted after it was written, and that UDP port ${udpPort} to Steward is open from ${host} (firewall).`;
}

/** A node whose runs QRS records but whose Scheduler's datagrams do not reach Steward. */
export interface SilentNode {
  host: string;
  since: number;
  fix: string;
}

async function silentNodes(deps: Pick<NodeSilenceDeps, "db" | "udpPort">): Promise<SilentNode[]> {
  const rows = await deps.db.all<{ host: string; silent_since: number }>(
    "SELECT host, silent_since FROM intake_nodes WHERE silent_since IS NOT NULL ORDER BY node",
  );
  return rows.map((r) => ({ host: r.host, since: Number(r.silent_since), fix: schedulerAppenderFix(r.host, deps.udpPort) }));
}

function silentNodesReadiness(deps: Pick<NodeSilenceDeps, "formatTime">, silent: () => Promise<SilentNode[]>): ReadinessCheck {
  return {
    name: "scheduler-datagrams",
    required: false,
    async check() {
      const nodes = await silent();
      if (nodes.length === 0) return { ok: true, detail: "no node's runs reach Steward only from QRS" };
      return {
        ok: false,
        detail: nodes.map((n) => `no task events from ${n.host} since ${deps.formatTime(n.since)}: its runs come only from QRS`).join("; "),
      };
    },
  };
}

/** The node's short host name, lower case: what a datagram and QRS's executingNodeName have in common. */
export function nodeKey(host: string): string {
  return host.trim().toLowerCase().split(".")[0] ?? "";
}

export function createNodeSilence(cfg: IntakeConfig["nodeSilence"], deps: NodeSilenceDeps): NodeSilence {
  const log = deps.log.child({ module: "node-silence" });
  const windowMs = cfg.windowMinutes * 60_000;
  /** Runs that ended before this Steward could hear anything are not the node's fault. */
  let startedAt = Number.POSITIVE_INFINITY;
  const lastWritten = new Map<string, number>();
  let overflowLogged = false;
  const pending = new Set<Promise<void>>();
  /** The runs heard only from QRS, judged one after another. */
  let judging: Promise<void> = Promise.resolve();

  async function judge(node: string, host: string, now: number): Promise<void> {
    await deps.db.run("DELETE FROM intake_node_reconciled WHERE stop_at < ?", [now - windowMs]);
    const state = await deps.db.get<{ last_datagram_at: number | null; silent_since: number | null }>(
      "SELECT last_datagram_at, silent_since FROM intake_nodes WHERE node = ?",
      [node],
    );
    if (state?.silent_since != null) return;
    // A datagram is written down late by up to HEARD_WRITE_MS: only runs after that margin count as unheard.
    const heardUntil = state?.last_datagram_at == null ? 0 : Number(state.last_datagram_at) + HEARD_WRITE_MS;
    const runs = await deps.db.get<{ n: number; first: number | null; last: number | null }>(
      "SELECT COUNT(*) AS n, MIN(stop_at) AS first, MAX(stop_at) AS last FROM intake_node_reconciled WHERE node = ? AND stop_at > ?",
      [node, heardUntil],
    );
    if (!runs || Number(runs.n) < cfg.minRuns || runs.first == null) return;
    const since = Number(runs.first);
    const took = await deps.db.run(
      `INSERT INTO intake_nodes (node, host, silent_since) VALUES (?, ?, ?)
       ON CONFLICT (node) DO UPDATE SET silent_since = excluded.silent_since, host = excluded.host WHERE intake_nodes.silent_since IS NULL`,
      [node, host, since],
    );
    if (took.changes === 0) return; // another Steward said it first
    const lastHeard = state?.last_datagram_at == null ? undefined : Number(state.last_datagram_at);
    const fix = schedulerAppenderFix(host, deps.udpPort);
    const text = {
      title: `Node ${host} sends no task events to Steward`,
      summary:
        `Since ${deps.formatTime(since)}, ${Number(runs.n)} runs on ${host} reached Steward only from QRS (reconciliation), none by datagram` +
        `${lastHeard === undefined ? "" : ` (the last came at ${deps.formatTime(lastHeard)})`}: alerts for this node's tasks come minutes late. ${fix}`,
    };
    log.warn({ node: host, runs: Number(runs.n), since: new Date(since).toISOString() }, text.title);
    deps.emit(
      siteEvent("intake.node_silent", `${node}:${since}`, host, now, text, {
        node: host,
        runs: Number(runs.n),
        since: new Date(since).toISOString(),
        lastDatagram: lastHeard === undefined ? null : new Date(lastHeard).toISOString(),
        fix,
      }),
    );
  }

  async function heardNow(node: string, host: string, now: number): Promise<void> {
    const ended = await deps.db.get<{ silent_since: number }>("SELECT silent_since FROM intake_nodes WHERE node = ? AND silent_since IS NOT NULL", [node]);
    await deps.db.run(
      `INSERT INTO intake_nodes (node, host, last_datagram_at) VALUES (?, ?, ?)
       ON CONFLICT (node) DO UPDATE SET last_datagram_at = excluded.last_datagram_at`,
      [node, host, now],
    );
    await deps.db.run("DELETE FROM intake_node_reconciled WHERE node = ?", [node]);
    if (!ended) return;
    const cleared = await deps.db.run("UPDATE intake_nodes SET silent_since = NULL WHERE node = ? AND silent_since = ?", [node, ended.silent_since]);
    if (cleared.changes === 0) return; // another Steward heard it first
    const since = Number(ended.silent_since);
    const text = {
      title: `Node ${host} sends task events again`,
      summary: `A task event from ${host} reached Steward at ${deps.formatTime(now)}, the first since ${deps.formatTime(since)}: its runs are alerted at once again.`,
    };
    log.info({ node: host, silentSince: new Date(since).toISOString() }, text.title);
    deps.emit(
      siteEvent("intake.node_recovered", `${node}:${since}`, host, now, text, {
        node: host,
        since: new Date(since).toISOString(),
        heardAt: new Date(now).toISOString(),
      }),
    );
  }

  const silent = () => silentNodes(deps);

  return {
    start() {
      startedAt = deps.clock.now();
    },
    reconciled(host, executionId, stopMs, excused) {
      const node = nodeKey(host);
      if (!cfg.enabled || excused || !node || stopMs < startedAt) return;
      const now = deps.clock.now();
      // Queued, not awaited: the reconciliation pass does not wait for this bookkeeping (one node's runs in order).
      judging = judging.then(async () => {
        try {
          await deps.db.run("INSERT INTO intake_node_reconciled (node, execution_id, stop_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [
            node,
            executionId,
            stopMs,
          ]);
          await judge(node, host, now);
        } catch (err) {
          log.warn({ node: host, err: describeError(err) }, "cannot record a run heard only from QRS");
        }
      });
    },
    heard(host) {
      const node = nodeKey(host);
      if (!cfg.enabled || !node) return;
      const now = deps.clock.now();
      const written = lastWritten.get(node);
      if (written === undefined && lastWritten.size >= MAX_NODES) {
        if (!overflowLogged)
          log.warn({ max: MAX_NODES, host }, "datagrams name more hosts than a site has nodes; new host names are not followed for node silence");
        overflowLogged = true;
        return;
      }
      if (now - (written ?? Number.NEGATIVE_INFINITY) < HEARD_WRITE_MS) return;
      lastWritten.set(node, now);
      const write = heardNow(node, host, now)
        .catch((err) => {
          lastWritten.set(node, Number.NEGATIVE_INFINITY); // written on the next datagram instead
          log.warn({ node: host, err: describeError(err) }, "cannot record a datagram's node");
        })
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async settled() {
      await Promise.all([...pending, judging]);
    },
    silent,
    readiness: silentNodesReadiness(deps, silent),
  };
}
