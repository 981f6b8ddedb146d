// Membership and leader leases of a cluster of Stewards that share one PostgreSQL store. Each instance writes a
// heartbeat row; each site-wide duty (schedules, reconciliation, distribute polling, site monitors) has one lease
// row that its holder renews. Times come from the database server, so clocks of the nodes may differ.
//
// A holder that cannot renew (it froze, lost its connection, or PostgreSQL is down) gives the duty up on its own
// once the lease could have expired — reckoned from when its last successful renewal was sent, on its monotonic
// clock — so two instances never act on a duty at the same time by their own reckoning. Work that must not
// happen twice even then (a schedule fire) is also claimed in the store before it is done.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Clock, Timer } from "../core/clock";
import type { Component } from "../core/lifecycle";
import type { SqlDb } from "../store/sql";
import { createDutyHolding } from "./duty-holding";
import { createPeerEpoch } from "./peer-epoch";
import { createStoreReach } from "./store-reach";
import { createClockOffset } from "./clock-offset";

import { DUTIES, type DutyName } from "./duties";

export { DUTIES, type DutyName } from "./duties";

export interface ClusterMember {
  instanceId: string;
  name: string;
  host: string;
  pid: number;
  version: string;
  startedAt: string;
  lastHeartbeat: string;
  /** Milliseconds since the heartbeat, by the database's clock. */
  heartbeatAgeMs: number;
  self: boolean;
}

export interface DutyHolder {
  duty: string;
  instanceId: string;
  name: string;
  since: string;
  expiresAt: string;
}

export interface ClusterView {
  mode: "single" | "cluster";
  self: { instanceId: string; name: string };
  members: ClusterMember[];
  leaders: DutyHolder[];
}

export interface Cluster extends Component {
  readonly mode: "single" | "cluster";
  readonly instanceId: string;
  /** The name in /metrics, logs and the dashboard (cluster.instanceName or the host name). */
  readonly instanceName: string;
  /** True while this instance holds the duty. */
  holds(duty: DutyName): boolean;
  /** Called with true when this instance gains the duty and false when it loses it; returns an unsubscribe. */
  onDuty(duty: DutyName, fn: (held: boolean) => void): () => void;
  /** Members with their heartbeats and who leads which duty, for /ready and the dashboard. */
  view(): Promise<ClusterView>;
  /** The members with their heartbeats only (one statement, where view() takes two): for the looks at who is alive. */
  members(): Promise<ClusterMember[]>;
  /**
   * The database's clock minus this machine's, in milliseconds, as measured at the last heartbeat (0 on a single
   * Steward). Added to this machine's time, it gives the time every member of the cluster agrees on.
   */
  clockOffsetMs(): number;
  /** Why this Steward takes no duty now (its clock is too far off), or undefined. */
  dutyRefusal(): string | undefined;
  /**
   * True when the last heartbeat found no other Steward in the shared store (none alive, none silent for less than a
   * day), and always on a single Steward: no one else writes work for this one, so its looks for such work may slow
   * down to the heartbeat's pace (src/platform/cluster/peer-poll.ts). False until the first heartbeat has looked.
   */
  alone(): boolean;
  /**
   * Changes when another Steward may have written work for this one since the last heartbeat: a member's first
   * heartbeat or a `steward schedules import` (both bump a counter in the store that the heartbeat reads), this
   * Steward becoming alone or no longer alone, or the database's clock moving against this machine's by a second.
   * Constant on a single Steward.
   */
  peerEpoch(): number;
  /** Calls `fn` after each heartbeat that changed peerEpoch(); returns an unsubscribe. */
  onPeerEpoch(fn: () => void): () => void;
  /**
   * True while the shared store has just been out of this Steward's reach (its own heartbeat overdue, or answering again
   * for less than a lease and a connection attempt): every heartbeat is late then, and no member is to be taken for dead for it. Always false on
   * a single Steward.
   */
  storeSettling(): boolean;
}

export interface ClusterTiming {
  /** How long a lease lasts without renewal; another instance takes over a duty this long after its holder died. */
  leaseTtlMs: number;
  /** Heartbeat and renewal interval. */
  heartbeatMs: number;
  /** Past this difference between this machine's clock and the database's, no duty is taken. */
  maxClockOffsetMs?: number;
  /** How long one connection attempt to the store may take: after an outage, a member may need that to beat again. */
  connectTimeoutMs?: number;
}

export interface ClusterDeps {
  db: SqlDb;
  log: Logger;
  /** The heartbeat's interval runs on it. */
  clock: Clock;
  version: string;
  instanceName?: string;
}

type Listener = (held: boolean) => void;

/** One Steward on its own store (the SQLite file, locked to one process): it holds every duty, always. */
export function createSingleCluster(instanceName = hostname()): Cluster {
  const instanceId = `${instanceName}-${randomBytes(3).toString("hex")}`;
  const startedAt = new Date().toISOString();
  const listeners = new Map<DutyName, Set<Listener>>();
  let running = false;
  const self = (): ClusterMember[] => [
    {
      instanceId,
      name: instanceName,
      host: hostname(),
      pid: process.pid,
      version: "",
      startedAt,
      lastHeartbeat: new Date().toISOString(),
      heartbeatAgeMs: 0,
      self: true,
    },
  ];
  return {
    name: "cluster",
    mode: "single",
    instanceId,
    instanceName,
    holds: () => running,
    onDuty(duty, fn) {
      const set = listeners.get(duty) ?? new Set<Listener>();
      listeners.set(duty, set);
      set.add(fn);
      if (running) fn(true);
      return () => set.delete(fn);
    },
    start() {
      running = true;
      for (const set of listeners.values()) for (const fn of set) fn(true);
    },
    stop() {
      running = false;
      for (const set of listeners.values()) for (const fn of set) fn(false);
    },
    clockOffsetMs: () => 0,
    dutyRefusal: () => undefined,
    alone: () => true,
    storeSettling: () => false,
    peerEpoch: () => 0,
    onPeerEpoch: () => () => {},
    async view() {
      return {
        mode: "single",
        self: { instanceId, name: instanceName },
        members: self(),
        leaders: DUTIES.map((duty) => ({ duty, instanceId, name: instanceName, since: startedAt, expiresAt: "" })),
      };
    },
    members: async () => self(),
  };
}

const MEMBER_FORGET_MS = 86_400_000;
const DB_NOW = "(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT))";

/** A Steward of a cluster on PostgreSQL: heartbeats, and leases on the site-wide duties it competes for. */
export function createPostgresCluster(timing: ClusterTiming, deps: ClusterDeps): Cluster {
  const { db, log } = deps;
  const instanceName = deps.instanceName ?? hostname();
  const instanceId = `${instanceName}-${randomBytes(3).toString("hex")}`;
  let timer: Timer | undefined;
  let running = false;
  let ticking: Promise<void> | undefined;
  let again = false;
  let lastError = "";

  const duties = createDutyHolding(log, instanceName);
  const reach = createStoreReach(timing.leaseTtlMs, timing.connectTimeoutMs);
  const { holds, setHeld } = duties;

  async function heartbeat(): Promise<void> {
    const sent = Date.now();
    const sentAt = deps.clock.now();
    reach.sending(sentAt);
    const row = await beat(db, instanceId, instanceName, deps.version);
    // The database read its clock somewhere within the round trip: the middle is off by half of it at most.
    const received = Date.now();
    reach.answered(sentAt, deps.clock.now());
    othersSeen = Number(row?.others ?? 1) > 0;
    if (row) clockOffset.measure(Number(row.at) - (sent + received) / 2, received - sent);
    if (row) peers.heard(Number(row.epoch), !othersSeen, clockOffset.offsetMs());
  }
  let othersSeen = true;
  const peers = createPeerEpoch(log);
  const clockOffset = createClockOffset(log, instanceName, timing.maxClockOffsetMs ?? Number.POSITIVE_INFINITY);

  /** Gives a lease up at once, so another Steward takes the duty without waiting for it to expire. */
  async function release(duty: DutyName): Promise<void> {
    await db.run("DELETE FROM cluster_leases WHERE duty = ? AND holder = ?", [duty, instanceId]);
  }

  async function tick(): Promise<void> {
    // Reckoned before the request is sent: the lease cannot outlive the database's expiry by our clock.
    const sentAt = performance.now();
    try {
      await heartbeat();
      const wanted = duties.wanted();
      if (clockOffset.refusal()) {
        // Acting on a duty with a clock this far off would fire schedules at the wrong time: hand it over.
        for (const duty of wanted) {
          if (duties.held(duty)) await release(duty);
          setHeld(duty, undefined);
        }
      } else if (wanted.length > 0) {
        const ours = await claimLeases(db, wanted, instanceId, instanceName, timing.leaseTtlMs);
        // Held locally until a heartbeat before the database's expiry (safely before another Steward can take it),
        // or half-way between the next renewal and that expiry when the heartbeat is more than a third of the lease:
        // a heartbeat of half the lease would otherwise lose the duty at every renewal.
        const margin = Math.min(timing.heartbeatMs, (timing.leaseTtlMs - timing.heartbeatMs) / 2);
        for (const duty of wanted) setHeld(duty, ours.has(duty) ? sentAt + timing.leaseTtlMs - margin : undefined);
      }
      if (lastError) log.info({ instance: instanceName }, "the cluster store is reachable again");
      lastError = "";
    } catch (err) {
      reach.failed();
      const msg = (err as Error).message;
      if (msg !== lastError) log.error({ err: msg, instance: instanceName }, "cannot reach the cluster store to renew leases");
      lastError = msg;
    }
    // Duties whose lease may have run out without a renewal are given up (no renewal answered in time).
    for (const duty of duties.heldDuties()) if (!holds(duty)) setHeld(duty, undefined);
  }

  function schedule(): void {
    if (!running) return;
    if (timer) deps.clock.clearTimeout(timer);
    timer = deps.clock.setTimeout(runTick, timing.heartbeatMs);
    timer.unref?.();
  }

  function runTick(): void {
    timer = undefined;
    ticking = tick().finally(() => {
      ticking = undefined;
      if (again) {
        again = false;
        runTick();
      } else schedule();
    });
  }

  /** Renews and competes now (again right after a renewal in progress). */
  function kick(): void {
    if (ticking) again = true;
    else {
      if (timer) deps.clock.clearTimeout(timer);
      runTick();
    }
  }

  return {
    name: "cluster",
    mode: "cluster",
    instanceId,
    instanceName,
    holds,
    clockOffsetMs: () => clockOffset.offsetMs(),
    dutyRefusal: () => clockOffset.refusal(),
    alone: () => !othersSeen,
    storeSettling: () => reach.settling(deps.clock.now()),
    ...peers.surface,
    onDuty(duty, fn) {
      const { first, unsubscribe } = duties.listen(duty, fn);
      if (holds(duty)) fn(true);
      // A duty nobody here wanted so far: compete for it now rather than at the next heartbeat.
      else if (first && running) kick();
      return unsubscribe;
    },
    async start() {
      running = true;
      await tick();
      schedule();
    },
    async stop() {
      running = false;
      if (timer) deps.clock.clearTimeout(timer);
      timer = undefined;
      await ticking;
      for (const duty of duties.heldDuties()) setHeld(duty, undefined);
      // A clean stop hands the duties over at once instead of after the lease runs out.
      try {
        await db.run(RELEASE_ALL, [instanceId, instanceId]);
        await db.run("DELETE FROM cluster_members WHERE instance_id = ?", [instanceId]);
      } catch (err) {
        log.warn({ err: (err as Error).message }, "could not release the cluster leases; others take over when they expire");
      }
    },
    view: () => clusterView(db, instanceId, instanceName),
    members: () => clusterMembers(db, instanceId),
  };
}

/**
 * One statement a heartbeat: members silent for a day are gone for good (killed, or their node removed) — younger
 * ones stay listed so the dashboard can show that they stopped answering — and this instance's row is written.
 * `others`: how many other members are still listed (the snapshot the statement reads is from before its own writes,
 * so they are counted by the same rule the deletion uses). Its own row is never deleted here: written in the same
 * statement, it would be touched twice.
 */
async function beat(db: SqlDb, instanceId: string, instanceName: string, version: string): Promise<{ at: number; others: number; epoch: number } | undefined> {
  // `xmax = 0` holds for a row the INSERT branch wrote (a first heartbeat, or one after this row was forgotten): the
  // peer epoch then goes up, and every member alone in the cluster looks once for work this one may write.
  return db.get<{ at: number; others: number; epoch: number }>(
    `WITH gone AS (DELETE FROM cluster_members WHERE heartbeat_at < ${DB_NOW} - ? AND instance_id <> ?),
       me AS (INSERT INTO cluster_members (instance_id, name, host, pid, version, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ${DB_NOW}, ${DB_NOW})
         ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = ${DB_NOW} RETURNING heartbeat_at, (xmax = 0) AS inserted),
       bump AS (UPDATE cluster_epoch SET epoch = epoch + 1 WHERE id = 1 AND (SELECT inserted FROM me) RETURNING epoch)
     SELECT (SELECT heartbeat_at FROM me) AS at,
       (SELECT COUNT(*) FROM cluster_members WHERE instance_id <> ? AND heartbeat_at >= ${DB_NOW} - ?) AS others,
       COALESCE((SELECT epoch FROM bump), (SELECT epoch FROM cluster_epoch WHERE id = 1), 0) AS epoch`,
    [MEMBER_FORGET_MS, instanceId, instanceId, instanceName, hostname(), process.pid, version, instanceId, MEMBER_FORGET_MS],
  );
}

/**
 * Takes each lease that is free or expired and renews each that is ours, in one statement; returns the duties held
 * afterwards. The rows are locked in the order of the duties' names (and so by RELEASE_ALL): two Stewards claiming,
 * or one claiming while another stops, wait for each other instead of deadlocking.
 */
async function claimLeases(db: SqlDb, duties: readonly DutyName[], instanceId: string, instanceName: string, leaseTtlMs: number): Promise<Set<string>> {
  const sorted = [...duties].sort();
  const rows = await db.all<{ duty: string }>(
    `INSERT INTO cluster_leases (duty, holder, holder_name, acquired_at, expires_at)
     SELECT d.duty, ?, ?, ${DB_NOW}, ${DB_NOW} + ? FROM (VALUES ${sorted.map(() => "(CAST(? AS TEXT))").join(", ")}) AS d (duty) ORDER BY d.duty COLLATE "C"
     ON CONFLICT (duty) DO UPDATE SET holder = excluded.holder, holder_name = excluded.holder_name, expires_at = excluded.expires_at,
       acquired_at = CASE WHEN cluster_leases.holder = excluded.holder THEN cluster_leases.acquired_at ELSE excluded.acquired_at END
     WHERE cluster_leases.holder = excluded.holder OR cluster_leases.expires_at < ${DB_NOW}
     RETURNING duty`,
    [instanceId, instanceName, leaseTtlMs, ...sorted],
  );
  return new Set(rows.map((r) => String(r.duty)));
}

/** A clean stop gives every lease up, locking the rows in the duties' order as claimLeases does. */
const RELEASE_ALL = `DELETE FROM cluster_leases WHERE holder = ?
  AND duty IN (SELECT duty FROM cluster_leases WHERE holder = ? ORDER BY duty COLLATE "C" FOR UPDATE)`;

/** The members with how long ago each was heard from, by the database's clock: one statement. */
async function clusterMembers(db: SqlDb, instanceId: string): Promise<ClusterMember[]> {
  const members = await db.all<Record<string, string | number>>(
    `SELECT instance_id, name, host, pid, version, started_at, heartbeat_at, ${DB_NOW} - heartbeat_at AS age FROM cluster_members ORDER BY name, instance_id`,
  );
  return members.map((m) => ({
    instanceId: String(m.instance_id),
    name: String(m.name),
    host: String(m.host),
    pid: Number(m.pid),
    version: String(m.version),
    startedAt: new Date(Number(m.started_at)).toISOString(),
    lastHeartbeat: new Date(Number(m.heartbeat_at)).toISOString(),
    heartbeatAgeMs: Number(m.age),
    self: m.instance_id === instanceId,
  }));
}

/** The members (with how long ago each was heard from) and the current leaders, by the database's clock. */
async function clusterView(db: SqlDb, instanceId: string, instanceName: string): Promise<ClusterView> {
  const members = await clusterMembers(db, instanceId);
  const leases = await db.all<Record<string, string | number>>(
    `SELECT duty, holder, holder_name, acquired_at, expires_at FROM cluster_leases WHERE expires_at >= ${DB_NOW} ORDER BY duty`,
  );
  return {
    mode: "cluster",
    self: { instanceId, name: instanceName },
    members,
    leaders: leases.map((l) => ({
      duty: String(l.duty),
      instanceId: String(l.holder),
      name: String(l.holder_name),
      since: new Date(Number(l.acquired_at)).toISOString(),
      expiresAt: new Date(Number(l.expires_at)).toISOString(),
    })),
  };
}
