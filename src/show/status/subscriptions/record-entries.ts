// The promises' late days for the Atom feed (issue 106): each late day of the last 90, with how late and why, and the
// promise's 30-day record, in the words /status uses; of every app, one app or one promise, as the feed is asked.
import type { Freshness } from "../../../watch/freshness";
import type { DayJudgement } from "../../../watch/freshness/record-store";
import { lateDaySentence, lateText, promiseRecord, RECORD_DAYS, recordSentence } from "../promise-record";
import type { RecordEntry } from "./feed";

export async function recordEntries(
  f: Pick<Freshness, "record" | "store">,
  nowMs: number,
  zone: string,
  only: { appId?: string; promise?: string },
): Promise<RecordEntry[]> {
  const days = (await f.record.since(nowMs - RECORD_DAYS * 86_400_000)).filter(
    (d) => (!only.appId || d.appId === only.appId.toLowerCase()) && (!only.promise || d.promise === only.promise),
  );
  if (!days.some((d) => d.late)) return [];
  const names = new Map((await f.store.apps()).map((a) => [a.appId, a.appName]));
  const groups = new Map<string, DayJudgement[]>();
  for (const d of days) groups.set(`${d.promise}\u0000${d.appId}`, [...(groups.get(`${d.promise}\u0000${d.appId}`) ?? []), d]);
  const out: RecordEntry[] = [];
  for (const [key, ds] of groups) {
    const { promise, appId } = ds[0]!;
    const r = promiseRecord(promise, ds, nowMs, zone);
    const app = names.get(appId) ?? appId;
    for (const d of r.late) {
      const how = d.lateMinutes === null ? "was not fresh by its deadline" : `was ${lateText(d.lateMinutes)} late`;
      out.push({
        key: `${key}\u0000${d.deadline}`,
        title: `${app} ${how} on ${d.day}`,
        text: `${app}: ${lateDaySentence(d)}. ${recordSentence(r.last30, 30)}.`,
        at: Date.parse(d.freshAt ?? d.deadline),
      });
    }
  }
  return out.sort((a, b) => b.at - a.at);
}
