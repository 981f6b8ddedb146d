// Maintenance windows from the config, compiled once: which occurrences are active at a time (a one-off window, or
// the recurring one whose last start is less than its duration ago), which start next, and whether a window covers
// an event (the whole site, its nodes, or its matcher).
import type { MaintenanceWindowConfig } from "./config";
import { DEFAULT_WINDOW_FROM } from "./config";
import { nextOccurrence, RecurrenceBudgetError, readSchedule, type Schedule } from "../../platform/core/rrule";
import { sameNode } from "../../hear/events/datagram-claims";
import type { DomainEvent } from "../../platform/events/types";
import { describeMatcher, eventFacts, matchesSilence } from "../silences/matcher";

export interface Occurrence {
  window: string;
  reason?: string;
  startsAt: number;
  endsAt: number;
  /** "the whole site", "nodes qlik2", "task names Sales*". */
  scope: string;
}

export interface CompiledWindow {
  config: MaintenanceWindowConfig;
  scope: string;
  /** The occurrence active at `now`, if any. */
  activeAt(now: number): Occurrence | undefined;
  /** The next occurrence starting after `now`. */
  nextAfter(now: number): Occurrence | undefined;
  covers(e: DomainEvent): boolean;
}

export function compileWindow(w: MaintenanceWindowConfig): CompiledWindow {
  const scope = [w.nodes ? `nodes ${w.nodes.join(", ")}` : "", w.matcher ? describeMatcher(w.matcher) : ""].filter(Boolean).join("; ") || "the whole site";
  const occ = (startsAt: number, endsAt: number): Occurrence => ({ window: w.name, ...(w.reason ? { reason: w.reason } : {}), startsAt, endsAt, scope });
  let schedule: Schedule | undefined;
  if (w.rrule) {
    const read = readSchedule({ recurrence: [w.rrule], timeZone: w.timeZone, startDateTime: w.from ?? DEFAULT_WINDOW_FROM, fallbackStartMs: 0 });
    // The config schema refused a rule that does not read; this holds for a config built in code.
    if (!read.ok) throw new Error(`maintenance window ${w.name}: ${read.error}`);
    schedule = read.schedule;
  }
  const duration = w.duration ?? 0;
  /**
   * The next start after `t`; none for a rule too costly to follow (the config check refuses those; a window is
   * then not applied rather than every alert it covers failing on the way to the outbox).
   */
  const nextStart = (sched: Schedule, t: number): number | undefined => {
    try {
      return nextOccurrence(sched, t);
    } catch (err) {
      if (err instanceof RecurrenceBudgetError) return undefined;
      throw err;
    }
  };
  return {
    config: w,
    scope,
    activeAt(now) {
      if (!schedule) {
        const s = Date.parse(w.start!);
        const e = Date.parse(w.end!);
        return s <= now && now < e ? occ(s, e) : undefined;
      }
      // The first start after now - duration: if it has begun, it is the one still running.
      const start = nextStart(schedule, now - duration);
      return start !== undefined && start <= now ? occ(start, start + duration) : undefined;
    },
    nextAfter(now) {
      if (!schedule) {
        const s = Date.parse(w.start!);
        return s > now ? occ(s, Date.parse(w.end!)) : undefined;
      }
      const start = nextStart(schedule, now);
      return start === undefined ? undefined : occ(start, start + duration);
    },
    covers(e) {
      if (e.kind === "maintenance.summary") return false;
      if (w.nodes && !w.nodes.some((n) => sameNode(n, eventFacts(e).host))) return false;
      if (w.matcher && !matchesSilence(w.matcher, e)) return false;
      return true;
    },
  };
}

export function compileWindows(ws: readonly MaintenanceWindowConfig[]): CompiledWindow[] {
  return ws.map(compileWindow);
}

/** The occurrences active at `now` of the windows that cover `e`. */
export function coveringOccurrences(ws: readonly CompiledWindow[], e: DomainEvent, now: number): Occurrence[] {
  return ws.map((w) => (w.covers(e) ? w.activeAt(now) : undefined)).filter((o) => o !== undefined);
}

/** Of several occurrences, the one that ends last (what holds an alert longest). */
export const endingLast = (os: readonly Occurrence[]): Occurrence | undefined =>
  os.reduce<Occurrence | undefined>((a, b) => (a && a.endsAt >= b.endsAt ? a : b), undefined);
