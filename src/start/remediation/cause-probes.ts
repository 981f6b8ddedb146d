// SQL of a rule's retries of a cause several failures share (one data source): one task's failure is the cause's
// probe, retried as the rule says; the others wait for it and are retried once it succeeded. One open probe per cause
// on the whole site (a partial unique index), so the Stewards of a cluster pick the same probe.
import type { SqlDb } from "../../platform/store/sql";

/** probing: its retries under way; released: it ran well, the others were asked for; gave_up: its retries spent;
 * withheld: it got no retry (a person's was pending); expired: nobody ended it within the rule's delays and 6 hours. */
export type ProbeStatus = "probing" | "released" | "gave_up" | "withheld" | "expired";

export interface CauseProbe {
  id: number;
  causeKey: string;
  ruleName: string;
  incidentId: number;
  taskId: string;
  taskName: string;
  status: ProbeStatus;
  openedAt: number;
  endedAt: number | null;
}

export interface ProbeWaiter {
  incidentId: number;
  taskId: string;
  taskName: string;
  node: string | null;
  heldAt: number;
}

const probeOf = (r: Record<string, unknown>): CauseProbe => ({
  id: Number(r.id),
  causeKey: String(r.cause_key),
  ruleName: String(r.rule_name),
  incidentId: Number(r.incident_id),
  taskId: String(r.task_id),
  taskName: String(r.task_name),
  status: String(r.status) as ProbeStatus,
  openedAt: Number(r.opened_at),
  endedAt: r.ended_at === null || r.ended_at === undefined ? null : Number(r.ended_at),
});

export type CauseProbes = ReturnType<typeof createCauseProbes>;

export function createCauseProbes(db: SqlDb) {
  const open = async (causeKey: string) => {
    const r = await db.get<Record<string, unknown>>("SELECT * FROM remediation_cause_probes WHERE cause_key = ? AND status = 'probing'", [causeKey]);
    return r ? probeOf(r) : undefined;
  };
  return {
    open,
    /** The cause's open probe: this failure's when none is open yet, else the one already open (another task's). */
    async openOrJoin(p: { causeKey: string; ruleName: string; incidentId: number; taskId: string; taskName: string }, now: number): Promise<CauseProbe> {
      const made = await db.get<Record<string, unknown>>(
        `INSERT INTO remediation_cause_probes (cause_key, rule_name, incident_id, task_id, task_name, status, opened_at)
         VALUES (?, ?, ?, ?, ?, 'probing', ?) ON CONFLICT DO NOTHING RETURNING *`,
        [p.causeKey, p.ruleName, p.incidentId, p.taskId.toLowerCase(), p.taskName, now],
      );
      if (made) return probeOf(made);
      const have = await open(p.causeKey);
      if (!have) throw new Error(`cause probe of ${p.causeKey} was neither opened nor found`);
      return have;
    },
    /** The cause's newest probe, open or ended. */
    async latest(causeKey: string): Promise<CauseProbe | undefined> {
      const r = await db.get<Record<string, unknown>>("SELECT * FROM remediation_cause_probes WHERE cause_key = ? ORDER BY id DESC LIMIT 1", [causeKey]);
      return r ? probeOf(r) : undefined;
    },
    /** The open probe the incident is (its task is the cause's probe), if any. */
    async ofIncident(incidentId: number): Promise<CauseProbe | undefined> {
      const r = await db.get<Record<string, unknown>>("SELECT * FROM remediation_cause_probes WHERE incident_id = ? ORDER BY id DESC LIMIT 1", [incidentId]);
      return r ? probeOf(r) : undefined;
    },
    /** Another failure of the cause waits for the probe (once per task). */
    async wait(probeId: number, w: Omit<ProbeWaiter, "heldAt">, now: number): Promise<void> {
      await db.run(
        `INSERT INTO remediation_cause_waiters (probe_id, incident_id, task_id, task_name, node, held_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (probe_id, task_id) DO NOTHING`,
        [probeId, w.incidentId, w.taskId.toLowerCase(), w.taskName, w.node?.toLowerCase() ?? null, now],
      );
    },
    async waiters(probeId: number): Promise<ProbeWaiter[]> {
      const rows = await db.all<Record<string, unknown>>("SELECT * FROM remediation_cause_waiters WHERE probe_id = ? ORDER BY held_at, task_id", [probeId]);
      return rows.map((r) => ({
        incidentId: Number(r.incident_id),
        taskId: String(r.task_id),
        taskName: String(r.task_name),
        node: r.node === null || r.node === undefined ? null : String(r.node),
        heldAt: Number(r.held_at),
      }));
    },
    /** Ends the open probe; true for the one call that ended it (a cluster's Stewards release its waiters once). */
    async end(probeId: number, status: Exclude<ProbeStatus, "probing">, now: number): Promise<boolean> {
      const res = await db.run("UPDATE remediation_cause_probes SET status = ?, ended_at = ? WHERE id = ? AND status = 'probing'", [status, now, probeId]);
      return res.changes === 1;
    },
  };
}
