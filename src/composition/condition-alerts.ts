// A condition's incident (a missed start, a freshness promise at risk or late, a check-in, a data check, a hub reload,
// a queue, a stopped service: tell/incidents/condition-incidents.ts) pages in the on-call products under its
// condition's alert key (steward-watch-…, steward-check-…, steward-service-…), the key its ending event resolves. This
// finds one from the other, both ways: an acknowledgement or resolve of the incident in Steward reaches every product
// holding its alert, a product's acknowledgement or resolve of that alert reaches the incident, and the convergence
// sweep knows whether the alert's incident is open, acknowledged or ended (issue 84).
import type { SqlDb } from "../platform/store/sql";
import type { DomainEvent } from "../platform/events/types";
import { conditionIncidentOf, type IncidentService, subjectStates } from "../tell/incidents";
import { type AlertTruth, truthKey } from "../tell/notify";
import { createChannelState } from "../tell/notify/channel-state";
import { alertKeyOf } from "../tell/notify/on-call/alert";
import { openAlertEvent } from "../tell/notify/on-call/open-alerts";
import type { OutboxStore } from "../tell/notify/outbox-store";
import { threadOf } from "../tell/notify/thread";

export interface ConditionAlertsDeps {
  db: SqlDb;
  outbox: Pick<OutboxStore, "getEvent">;
  incidents(): IncidentService | undefined;
  now(): number;
}

/** A condition's alert as the sweep asks about it (an AlertRef); undefined for an event that opens no condition's incident. */
export function conditionRef(e: DomainEvent): { condition: string; since: number } | undefined {
  // Paged as its cause: the cause's key names it, and the cause's truth is its alert's.
  if (e.cause) return undefined;
  const c = conditionIncidentOf(e);
  return c ? { condition: c.subject, since: c.at } : undefined;
}

/** The open incident of the condition `e` opens or adds to (what a snooze of it names); undefined for any other event. */
export async function openConditionIncident(db: SqlDb, e: DomainEvent): Promise<number | undefined> {
  const c = conditionIncidentOf(e);
  const s = c ? (await subjectStates(db, [c.subject])).get(c.subject) : undefined;
  return s?.open ? s.id : undefined;
}

export function conditionAlerts(deps: ConditionAlertsDeps) {
  /** The truth of conditions' alerts: their subject's newest incident, when it is the one the alert's event opened or joined. */
  async function truths(refs: ReadonlyArray<{ condition: string; since: number }>): Promise<Map<string, AlertTruth>> {
    const out = new Map<string, AlertTruth>();
    if (refs.length === 0) return out;
    const states = await subjectStates(
      deps.db,
      refs.map((r) => r.condition),
    );
    for (const r of refs) {
      const s = states.get(r.condition);
      // No incident (not written yet, purged, incidents off), or only one that ended before the alert's event: the
      // alert's own incident is not known yet, and the alert is left as it is.
      if (!s || (!s.open && (s.closedAt ?? 0) < r.since)) continue;
      out.set(truthKey(r), {
        open: s.open,
        ...(s.acknowledgedBy !== undefined ? { acknowledgedBy: s.acknowledgedBy } : {}),
        ...(s.ended ? { ended: s.ended } : {}),
      });
    }
    return out;
  }

  return {
    truths,
    /**
     * The alerts a condition's incident paged under (its key and thread, read from its first and last events as the
     * outbox keeps them); none for a task's incident, whose key names it, nor for events paged as their cause.
     */
    async alertsOf(incident: { id: number; subject: string }): Promise<Array<{ key: string; thread: string }>> {
      if (incident.subject.startsWith("task:")) return [];
      const row = await deps.incidents()?.get(incident.id);
      if (!row) return [];
      const out = new Map<string, string>();
      for (const id of new Set([row.firstEventId, row.lastEventId])) {
        const e = await deps.outbox.getEvent(id);
        const thread = e && !e.cause ? threadOf(e) : null;
        if (e && thread !== null && conditionRef(e)) out.set(alertKeyOf(e), thread);
      }
      return [...out].map(([key, thread]) => ({ key, thread }));
    },
    /** The condition's incident the channel's alert `key` is (a product's webhook names the alert); undefined for none. */
    async incidentOf(channel: string, key: string): Promise<number | undefined> {
      const opener = await openAlertEvent(createChannelState(deps.db, channel, deps.now), key);
      const e = opener === undefined ? undefined : await deps.outbox.getEvent(opener);
      const ref = e ? conditionRef(e) : undefined;
      if (!ref) return undefined;
      const s = (await subjectStates(deps.db, [ref.condition])).get(ref.condition);
      return s && (s.open || (s.closedAt ?? 0) >= ref.since) ? s.id : undefined;
    },
  };
}

export type ConditionAlerts = ReturnType<typeof conditionAlerts>;
