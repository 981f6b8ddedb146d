// One incident per cause, seen from the task incidents: which cause an open incident belongs to (an open cause holding
// its task, or the ended cause that recorded its last failure: a run Qlik cancelled in a queue that has since emptied
// stays that queue's until the task runs again), and what acknowledging or snoozing one of them does to the others.
import type { IncidentRow } from "./incident-store";
import { incidentSql } from "./incident-store";
import type { SqlDb } from "../../platform/store/sql";

/** What the incidents say of a cause (tell/grouping's parent). */
export interface CauseBrief {
  id: number;
  title: string;
}

/** A cause as the incidents list it: when it opened, whether it ended, who is on it. */
export interface OpenCause extends CauseBrief {
  status: "open" | "closed";
  openedAt: number;
  closedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  acknowledgedNote: string | null;
}

/** An open incident's last failure, as the causes recorded it. */
export interface FailureRef {
  subject: string;
  eventId: string;
  runId: string;
}

/** The causes an incident may be a symptom of (tell/grouping's acknowledgements). */
export interface IncidentCauses {
  openCausesOf(subject: string): Promise<OpenCause[]>;
  openCausesOfSubjects(subjects: readonly string[]): Promise<Map<string, OpenCause>>;
  acknowledge(causeId: number, by: string, note: string | null, now: number): Promise<{ parent: CauseBrief; subjects: string[] } | undefined>;
  openSubjects(causeId: number): Promise<string[]>;
  openCauses(limit: number): Promise<OpenCause[]>;
  endedCausesOf(refs: readonly FailureRef[]): Promise<Map<string, OpenCause>>;
  recorded(causeId: number): Promise<{ runIds: Set<string>; eventIds: Set<string> }>;
  resolve(causeId: number, keep: readonly string[], now: number): Promise<{ parent: CauseBrief; closed: boolean } | undefined>;
  status(causeId: number): Promise<"open" | "closed" | undefined>;
}

/** Open incidents read at most when an ended cause's members are looked for. */
const OPEN_SCAN = 2_000;

/** The failure an incident last recorded: its event, and its run (the event id's execution part). */
export const failureOf = (r: IncidentRow): FailureRef => ({
  subject: r.subject,
  eventId: r.lastEventId,
  runId: (r.lastEventId.split(":")[0] ?? "").toLowerCase(),
});

export function createIncidentCauseOps(db: SqlDb, causes: IncidentCauses | undefined, now: () => number) {
  const sql = () => incidentSql(db);

  /** The open incidents whose last failure an ended cause recorded. */
  async function endedMembers(causeId: number): Promise<IncidentRow[]> {
    if (!causes) return [];
    const rec = await causes.recorded(causeId);
    const open = await sql().list({ status: "open", limit: OPEN_SCAN });
    return open.filter((r) => rec.runIds.has(failureOf(r).runId) || rec.eventIds.has(r.lastEventId));
  }

  /** The ended cause of an open incident no open cause holds. */
  async function endedCauseOf(row: IncidentRow): Promise<OpenCause | undefined> {
    return (await causes?.endedCausesOf([failureOf(row)]))?.get(row.subject);
  }

  /** The cause's open task incidents, acknowledged as `by` (those already acknowledged keep who did it first). */
  async function acknowledgeMembers(causeId: number, by: string, note: string | null, at: number) {
    const done = await causes?.acknowledge(causeId, by, note, at);
    if (!done) return undefined;
    const incidents: IncidentRow[] = [];
    for (const subject of done.subjects) {
      const open = await sql().open(subject);
      if (!open) continue;
      incidents.push(open.acknowledgedAt === null ? ((await sql().acknowledge(open.id, by, note, at)) ?? open) : open);
    }
    return { cause: { id: done.parent.id, title: done.parent.title }, incidents };
  }

  return {
    /**
     * After `row` was acknowledged: its cause and the cause's other incidents, open or ended cause alike. Returns what
     * was acknowledged with it (the on-call products are told).
     */
    async acknowledged(row: IncidentRow, by: string, note: string | null, at: number): Promise<{ causes: number[]; incidents: IncidentRow[] }> {
      const out = { causes: [] as number[], incidents: [] as IncidentRow[] };
      if (!causes) return out;
      const open = await causes.openCausesOf(row.subject);
      for (const cause of open) {
        const done = await acknowledgeMembers(cause.id, by, note, at);
        if (!done) continue;
        out.causes.push(done.cause.id);
        out.incidents.push(...done.incidents);
      }
      if (open.length > 0) return out;
      const ended = await endedCauseOf(row);
      if (!ended) return out;
      for (const other of await endedMembers(ended.id))
        if (other.id !== row.id && other.acknowledgedAt === null) out.incidents.push((await sql().acknowledge(other.id, by, note, at)) ?? other);
      return out;
    },
    acknowledgeCause: (causeId: number, by: string, note: string | null) => acknowledgeMembers(causeId, by, note, now()),
    /** The open incidents that are one with this one (a snooze from a cause's page holds them all). */
    async sameCause(id: number): Promise<IncidentRow[]> {
      const row = await sql().byId(id);
      if (row?.status !== "open") return [];
      const out = new Map<number, IncidentRow>([[row.id, row]]);
      const open = (await causes?.openCausesOf(row.subject)) ?? [];
      for (const cause of open)
        for (const subject of await causes!.openSubjects(cause.id)) {
          const other = await sql().open(subject);
          if (other) out.set(other.id, other);
        }
      if (open.length === 0) {
        const ended = await endedCauseOf(row);
        for (const other of ended ? await endedMembers(ended.id) : []) out.set(other.id, other);
      }
      return [...out.values()];
    },
    /**
     * What needs someone now, one entry per cause: each open cause with the open incidents it holds (maybe none: a
     * node's queue, a stopped service), each ended cause whose incidents are still open, then each open incident no
     * cause explains, a cause of its own (`cause` undefined).
     */
    async openByCause(limit: number): Promise<Array<{ cause?: OpenCause; incidents: IncidentRow[] }>> {
      const open = [...(await sql().list({ status: "open", limit }))].sort((x, y) => x.openedAt - y.openedAt || x.id - y.id);
      const opened = causes ? await causes.openCauses(limit) : [];
      const holder = await this.causesOf(open);
      const groups = new Map<number, { cause: OpenCause; incidents: IncidentRow[] }>(opened.map((c) => [c.id, { cause: c, incidents: [] }]));
      const own: IncidentRow[] = [];
      for (const r of open) {
        const cause = holder.get(r.subject);
        if (!cause) {
          own.push(r);
          continue;
        }
        const group = groups.get(cause.id) ?? { cause, incidents: [] };
        group.incidents.push(r);
        groups.set(cause.id, group);
      }
      return [...groups.values(), ...own.map((r) => ({ incidents: [r] }))];
    },
    /** The cause each open incident belongs to: an open cause holding it, else the ended cause of its last failure. */
    async causesOf(rows: readonly IncidentRow[]): Promise<Map<string, OpenCause>> {
      if (!causes) return new Map();
      const open = rows.filter((r) => r.status === "open");
      const held = await causes.openCausesOfSubjects(open.map((r) => r.subject));
      const rest = open.filter((r) => !held.has(r.subject));
      const ended = rest.length > 0 ? await causes.endedCausesOf(rest.map(failureOf)) : new Map<string, OpenCause>();
      return new Map([...held, ...ended]);
    },
  };
}

export type IncidentCauseOps = ReturnType<typeof createIncidentCauseOps>;
