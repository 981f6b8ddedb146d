// QRS's stated times of the triggers judged by QRS alone, kept current: once a stated time has passed, the trigger is
// read again at the next look, so the watchdog expects the Scheduler's next fire as QRS states it. The Scheduler
// moves nextExecution on without changing the trigger's modifiedDate, so the plan's incremental read never sees it.
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { QrsRowsSchema } from "../../platform/qlik/qrs-schemas";
import { compare } from "../../platform/qlik/qrs-filter";
import type { KeptPlan } from "./plan-update";
import { mergeById } from "./plan-update";
import { noteQrsTime, readQrsNext, type ScheduleTrigger } from "./schedule";

/** Triggers per request (an `id eq … or …` filter) and per look: a site judged by QRS costs a few requests a look. */
const IDS_PER_REQUEST = 50;
const MAX_PER_LOOK = 200;
/** A stated time that stays in the past (the Scheduler late or stopped) is read again this often, not at every look. */
const RECHECK_MS = 60_000;

/** Reads again the judged triggers whose QRS time has passed; returns how many were read. */
export async function refreshQrsTimes(qrs: QrsClient, plan: KeptPlan, now: number): Promise<number> {
  const due: ScheduleTrigger[] = [];
  for (const t of plan.tasks.values())
    for (const s of t.schedules)
      if (s.judgedByQrs && s.qrsNextMs !== undefined && s.qrsNextMs <= now && !((s.qrsCheckedMs ?? -1) >= s.qrsNextMs && now - s.qrsCheckedMs! < RECHECK_MS))
        due.push(s);
  if (due.length === 0) return 0;
  // Oldest stated time first: a trigger the Scheduler never moves on (stopped) cannot keep the others waiting for
  // long, since each look reads the next MAX_PER_LOOK.
  due.sort((a, b) => a.qrsNextMs! - b.qrsNextMs!);
  const batch = due.slice(0, MAX_PER_LOOK);
  const byId = new Map(batch.map((s) => [s.id.toLowerCase(), s]));
  const rows: unknown[] = [];
  for (let i = 0; i < batch.length; i += IDS_PER_REQUEST) {
    const filter = batch
      .slice(i, i + IDS_PER_REQUEST)
      .map((s) => compare("id", "eq", s.id).expression)
      .join(" or ");
    rows.push(...((await qrs.getJson("schemaevent/full", QrsRowsSchema, { filter })) as unknown[]));
  }
  for (const row of rows) {
    const r = row as { id?: unknown; operational?: { nextExecution?: unknown } | null } | null;
    const trigger = typeof r?.id === "string" ? byId.get(r.id.toLowerCase()) : undefined;
    if (!trigger) continue;
    noteQrsTime(trigger, readQrsNext(typeof r?.operational?.nextExecution === "string" ? r.operational.nextExecution : undefined), now);
  }
  // A trigger QRS no longer returns (deleted since) is not asked about again before the plan drops it.
  for (const s of batch) s.qrsCheckedMs = now;
  // A later rebuild of the plan from its rows starts from these rows, not the ones read before.
  plan.rows = { ...plan.rows, schemaEvents: mergeById(plan.rows.schemaEvents, rows) };
  return batch.length;
}
