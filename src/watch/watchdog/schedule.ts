// When a QRS schema trigger (schemaevent) should fire next. QRS's own clock first: the time QRS states
// (operational.nextExecution) is the expectation, and its "never" means none; Steward's own arithmetic
// (src/platform/core/qmc-schedule.ts) gives the times QRS does not state and cross-checks the ones it does. A trigger Steward
// cannot read is judged by QRS's time alone, or listed as not watched when QRS states none: never silently skipped.
import { z } from "zod";
import { nextQmcFire, type QmcSchedule } from "../../platform/core/qmc-schedule";
import { readQmcSchedule } from "../../platform/core/qmc-trigger-read";
import { type RowParses, readRowOnce } from "./row-parses";

const QrsSchemaEvent = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string().default(""),
    // Missing from a row, these leave the trigger to QRS's stated time (readSchemaEvent), not unwatched.
    enabled: z.boolean().nullish(),
    incrementOption: z.union([z.number(), z.string()]).nullish(),
    incrementDescription: z.string().nullish(),
    schemaFilterDescription: z.union([z.array(z.string()), z.string()]).nullish(),
    startDate: z.string().nullish(),
    expirationDate: z.string().nullish(),
    timeZone: z.string().nullish(),
    daylightSavingTime: z.union([z.number(), z.string()]).nullish(),
    operational: z.object({ nextExecution: z.string().nullish() }).nullish(),
  }),
);

export interface ScheduleTrigger {
  id: string;
  name: string;
  enabled: boolean;
  /** Steward's reading of the trigger; absent when it cannot read it (`unreadable` says why). */
  schedule?: QmcSchedule;
  unreadable?: string;
  /** QRS's own operational.nextExecution when last read (undefined: QRS stated none, or "never"). */
  qrsNextMs?: number;
  /**
   * Times QRS stated earlier for a trigger judged by QRS, kept after a later read moved nextExecution on, until the
   * look has judged them (at most MAX_EARLIER_QRS_TIMES, oldest dropped first).
   */
  qrsEarlierMs?: number[];
  /** When QRS's time was last read again for this trigger (qrs-times.ts). */
  qrsCheckedMs?: number;
  /** QRS stated "never" (1753-01-01…): an expired or finished trigger, or one the Scheduler will not fire. */
  qrsNever?: boolean;
  /**
   * Judged by QRS's stated time alone: Steward cannot read the trigger, or its arithmetic disagreed with QRS. Its
   * QRS time is read again once it has passed (plan-update.ts), so each due time is QRS's own.
   */
  judgedByQrs?: boolean;
  /**
   * Answers of Steward's arithmetic kept on the trigger (nextExpectedStart): [after, next] says no fire falls in
   * (after, next), so any time from `after` up to `next` has `next` as its next fire. A look asks each trigger a few
   * times (missed starts, its app's staleness, the page) at times that mostly share an answer; the arithmetic walks
   * the trigger's calendar in its zone, and asking it again for every task at every look was a large part of a look.
   */
  nextFires?: Array<[number, number]>;
}

/** How many answers a trigger keeps (the oldest goes first). */
const NEXT_FIRES_KEPT = 4;

/** How the watchdog expects a trigger's starts, for the watchdog's page and /metrics. */
export type TriggerWatch = "arithmetic" | "qrs" | "qrs-never" | "not-watched";

export function watchOf(t: ScheduleTrigger): TriggerWatch {
  // A trigger Steward cannot read is watched only through a time QRS states; QRS's "never" cannot say why.
  if (!t.schedule) return t.qrsNextMs !== undefined && !t.qrsNever ? "qrs" : "not-watched";
  if (t.qrsNever) return "qrs-never";
  return t.judgedByQrs ? "qrs" : "arithmetic";
}

export type TriggerRead = { ok: true; trigger: ScheduleTrigger } | { ok: false; error: string };

const NEVER_PREFIX = "1753-01-01";

/** QRS's operational.nextExecution: a time, QRS's "never", or nothing stated. */
export function readQrsNext(next: string | null | undefined): { nextMs?: number; never?: true } {
  if (!next) return {};
  if (next.startsWith(NEVER_PREFIX)) return { never: true };
  const ms = Date.parse(/Z|[+-]\d\d:\d\d$/.test(next) ? next : `${next}Z`);
  return Number.isFinite(ms) ? { nextMs: ms } : {};
}

/**
 * Parses one QRS schemaevent. An error only when the row cannot name a trigger (no id, a field of the wrong type); a
 * trigger whose calendar Steward cannot read, or that lacks a field of it, is returned with `unreadable` and judged
 * by the time QRS states (QRS's own clock first). A row without `enabled` is read as enabled: QRS's nextExecution
 * says whether the Scheduler will fire it, and where QRS states none the trigger is listed as not watched.
 */
export function readSchemaEvent(raw: unknown, parses?: RowParses): TriggerRead {
  if (!parses) return readTrigger(raw);
  const r = readRowOnce(parses, readTrigger, raw, readTrigger);
  // The plan changes its triggers later (QRS's times, the answers kept): each build gets a trigger of its own.
  return r.ok ? { ok: true, trigger: { ...r.trigger } } : r;
}

function readTrigger(raw: unknown): TriggerRead {
  const r = QrsSchemaEvent.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    return { ok: false, error: `schema trigger: field ${i.path.join(".") || "(root)"}: ${i.message}` };
  }
  const e = r.data;
  const missing = (["incrementOption", "incrementDescription", "startDate"] as const).filter((k) => e[k] === undefined || e[k] === null);
  const read: ReturnType<typeof readQmcSchedule> =
    missing.length > 0
      ? { ok: false, error: `the row has no ${missing.join(", ")}` }
      : readQmcSchedule({ ...e, incrementOption: e.incrementOption!, incrementDescription: e.incrementDescription!, startDate: e.startDate! });
  const qrs = readQrsNext(e.operational?.nextExecution);
  const unknownEnabled = e.enabled === undefined || e.enabled === null;
  // Without its enabled flag only QRS's time says the trigger fires; Steward's arithmetic alone would guess.
  const schedule = read.ok && !(unknownEnabled && qrs.nextMs === undefined) ? read.schedule : undefined;
  const unreadable = read.ok ? "the row has no enabled flag" : read.error;
  return {
    ok: true,
    trigger: {
      id: e.id,
      name: e.name,
      enabled: e.enabled ?? true,
      ...(schedule ? { schedule } : { unreadable }),
      ...(qrs.nextMs !== undefined ? { qrsNextMs: qrs.nextMs } : {}),
      ...(qrs.never ? { qrsNever: true } : {}),
    },
  };
}

/**
 * The first due time strictly after `afterMs`, or undefined: disabled, QRS says never, a trigger judged by QRS
 * whose stated time is not after `afterMs`, or (by Steward's arithmetic) expired, a past "once", none within the
 * step budget.
 */
export function nextExpectedStart(t: ScheduleTrigger, afterMs: number): number | undefined {
  if (!t.enabled) return undefined;
  if (t.judgedByQrs || !t.schedule) {
    let best: number | undefined;
    for (const at of [...(t.qrsEarlierMs ?? []), ...(t.qrsNextMs !== undefined ? [t.qrsNextMs] : [])])
      if (at > afterMs && (best === undefined || at < best)) best = at;
    return best;
  }
  if (t.qrsNever) return undefined;
  if (t.nextFires) for (const [after, next] of t.nextFires) if (afterMs >= after && afterMs < next) return next;
  const next = nextQmcFire(t.schedule, afterMs);
  // None is not kept: the arithmetic looks a bounded time ahead, so "none after t" need not hold later.
  if (next !== undefined) {
    t.nextFires ??= [];
    t.nextFires.push([afterMs, next]);
    if (t.nextFires.length > NEXT_FIRES_KEPT) t.nextFires.shift();
  }
  return next;
}

export const MAX_EARLIER_QRS_TIMES = 20;

/** A new read of QRS's time for a trigger judged by QRS: the time it replaces stays expected until judged. */
export function noteQrsTime(t: ScheduleTrigger, next: { nextMs?: number; never?: true }, readAtMs: number): void {
  t.qrsCheckedMs = readAtMs;
  if (t.qrsNextMs !== undefined && t.qrsNextMs !== next.nextMs) t.qrsEarlierMs = [...(t.qrsEarlierMs ?? []), t.qrsNextMs].slice(-MAX_EARLIER_QRS_TIMES);
  if (next.never) {
    delete t.qrsNextMs;
    t.qrsNever = true;
  } else if (next.nextMs !== undefined) {
    t.qrsNextMs = next.nextMs;
    delete t.qrsNever;
  }
}

/** How far Steward's time may lie from QRS's before it is a disagreement (QRS rounds to the second). */
export const QRS_AGREEMENT_MS = 60_000;

const when = (ms: number | undefined) => (ms === undefined ? "none" : new Date(ms).toISOString());

/**
 * Cross-checks Steward's reading with the time QRS states, at a read of the trigger (`readAtMs`). Where they differ
 * QRS wins (the trigger is judged by QRS's time) and the sentence returned names the trigger, for the watchdog's
 * problems: never an alert. Also the sentence for a trigger that is not watched at all.
 */
export function compareWithQrs(t: ScheduleTrigger, readAtMs: number): string | undefined {
  if (!t.enabled) return undefined;
  if (!t.schedule) {
    t.judgedByQrs = true;
    return t.qrsNextMs !== undefined && !t.qrsNever
      ? `trigger "${t.name}": Steward cannot read it (${t.unreadable}); its starts are expected at the times QRS states`
      : `trigger "${t.name}": Steward cannot read it (${t.unreadable}) and QRS states no next execution: this trigger is not watched`;
  }
  if (t.qrsNever) {
    const ours = nextQmcFire(t.schedule, readAtMs);
    return ours === undefined
      ? undefined
      : `trigger "${t.name}": Steward computes the next start ${when(ours)}, QRS states none (the Scheduler will not fire it); QRS is followed: no start is expected`;
  }
  if (t.qrsNextMs === undefined) return undefined;
  // QRS's time must be one of Steward's fires: the next one after the read, or (a time already past, the Scheduler
  // late or stopped) the fire at that time.
  const from = t.qrsNextMs > readAtMs ? readAtMs : t.qrsNextMs - QRS_AGREEMENT_MS - 1;
  const ours = nextQmcFire(t.schedule, from);
  if (ours !== undefined && Math.abs(ours - t.qrsNextMs) <= QRS_AGREEMENT_MS) return undefined;
  t.judgedByQrs = true;
  return `trigger "${t.name}": Steward computes the next start ${when(ours)}, QRS states ${when(t.qrsNextMs)}; QRS is followed: its starts are expected at the times QRS states`;
}
