// Issue 105: when a "never older than" promise's judgement can change on the recorded reloads. Its data counts from
// the last reload (never before the window's start, as the live judge counts from when it began watching), so each
// reload's end and the window's start are the bases; the live judge's own maxAgeDeadline says when the data of each
// gets too old, within the promise's hours, and its warning time comes the same way from warnAfter.
import type { JudgedPromise } from "../../watch/freshness/judge";
import { maxAgeDeadline } from "../../watch/freshness/judge-max-age";

export function maxAgeLookTimes(promises: readonly JudgedPromise[], reloads: ReadonlyArray<{ stopMs: number }>, from: number, to: number): number[] {
  const bases = [from, ...reloads.filter((r) => r.stopMs >= from && r.stopMs <= to).map((r) => r.stopMs)];
  const times: number[] = [];
  for (const p of promises) {
    const rule = p.maxAge;
    if (!rule) continue;
    for (const base of bases) {
      const app = { appId: "", appName: "", tags: [], lagsMs: [], lastSuccessMs: base };
      const lapse = maxAgeDeadline(rule, app, from);
      const warn = rule.warnAfterMs === undefined ? undefined : rule.hours.firstActiveAtOrAfter(base + rule.warnAfterMs);
      for (const t of [lapse, warn]) if (t !== undefined && t >= from && t <= to) times.push(t);
    }
  }
  return times;
}
