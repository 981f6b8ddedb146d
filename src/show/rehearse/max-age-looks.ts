// Issue 105: when a "never older than" promise's judgement can change on the recorded reloads. Its data counts from
// the last reload (never before the window's start, as the live judge counts from when it began watching), so the
// window's start and the end of each reload of the promise's apps are the bases; the live judge's own maxAgeDeadline
// says when the data of each gets too old, within the promise's hours, and its warning time comes the same way.
import { type MaxAgeRule, maxAgeDeadline } from "../../watch/freshness/judge-max-age";

export function maxAgeLookTimes(rule: MaxAgeRule, reloads: ReadonlyArray<{ stopMs: number }>, from: number, to: number): number[] {
  const bases = [from, ...reloads.filter((r) => r.stopMs >= from && r.stopMs <= to).map((r) => r.stopMs)];
  const times: number[] = [];
  for (const base of bases) {
    const lapse = maxAgeDeadline(rule, { appId: "", appName: "", tags: [], lagsMs: [], lastSuccessMs: base }, from);
    const warn = rule.warnAfterMs === undefined ? undefined : rule.hours.firstActiveAtOrAfter(base + rule.warnAfterMs);
    for (const t of [lapse, warn]) if (t !== undefined && t >= from && t <= to) times.push(t);
  }
  return times;
}
