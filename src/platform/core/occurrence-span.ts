// A schedule's answers between two of its occurrences are the same: every t in [p, n) has p as its latest occurrence
// at or before t and n as its first after t. Steward's judges ask both at every pass (each five simulated minutes in
// the scenarios, each 30 s by default), and croner's previousRuns walks back from far each time: remembering the
// last span answers those passes without asking the schedule again.

export interface Occurrences {
  /** The first occurrence strictly after `t`, or undefined when there is none. */
  next(t: number): number | undefined;
  /** The latest occurrence at or before `t`, or undefined. */
  previous(t: number): number | undefined;
}

/** Spans remembered: a check-in's judge asks about its last run's span and its next due's, a promise about one. */
const SPANS = 4;

interface Span {
  /** Answers hold for every t in [start, to) (`to` undefined: no occurrence after). */
  start: number;
  to: number | undefined;
  /** The occurrence at or before the span, null when there is none, undefined when not yet asked. */
  from: number | null | undefined;
}

/**
 * `schedule`'s answers, the spans around the last few times asked remembered. `lookBackMs` is how far back
 * `previous` looks (an RRULE check-in's 8 days): past it, a remembered occurrence no longer answers.
 */
export function spanCached(schedule: Occurrences, lookBackMs = Number.POSITIVE_INFINITY): Occurrences {
  const spans: Span[] = [];
  const find = (t: number, wantFrom: boolean) =>
    spans.find((s) => s.start <= t && (s.to === undefined || t < s.to) && (!wantFrom || s.from === null || (s.from !== undefined && t - s.from < lookBackMs)));
  const remember = (s: Span) => {
    spans.unshift(s);
    if (spans.length > SPANS) spans.pop();
    return s;
  };
  return {
    // The first after t is the first after any time in [t, it): asking previous() too would cost more on a miss.
    next: (t) => (find(t, false) ?? remember({ start: t, to: schedule.next(t), from: undefined })).to,
    previous(t) {
      const hit = find(t, true);
      if (hit) return hit.from ?? undefined;
      const from = schedule.previous(t);
      // With none at or before t (within the look back), none comes before the next one either.
      if (from === undefined) remember({ start: t, to: schedule.next(t), from: null });
      else remember({ start: from, to: schedule.next(from), from });
      return from;
    },
  };
}
