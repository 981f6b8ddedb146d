// Issue 105: a config's promises ("fresh by" and "never older than") judged again on the window's recorded reloads, as
// the live judge would have judged them with that config's deadline and warnAt, or maxAge and warnAfter. The live
// judge's own pure judgeFreshness is called at each time its answer can change (a warning time, a deadline, the moment
// data gets too old, a recorded reload's end), with the apps as the recorded runs made them by then, and what it opens,
// escalates and closes becomes the events it would have raised. Nothing is read from QRS or the live conditions: the
// recorded runs are the whole input. A "fresh by" promise's data must come through its app's Qlik chain, as live: the
// chains' tasks are seen at each look as their recorded runs left them (recorded-chains.ts).
import type { WatchdogEvent } from "../../platform/events/types";
import type { AppFreshness, Level } from "../../watch/freshness/freshness-store";
import { freshnessEvent } from "../../watch/freshness/freshness-event";
import { type FreshnessFinding, type JudgedPromise, judgeFreshness, type OpenFreshness, promisedApps } from "../../watch/freshness/judge";
import { maxAgeLookTimes } from "./max-age-looks";
import { type RecordedChains, tasksAt } from "./recorded-chains";
import type { RecordedEvent } from "../noise/replay";

/** A successful reload of an app, as the watchdog kept it (watchdog_runs). */
export interface RecordedReload {
  appId: string;
  startMs?: number;
  stopMs: number;
}

/** An app as the freshness store knows it: what a promise names it by. */
export interface AppMeta {
  appId: string;
  appName: string;
  stream?: string;
  tags: string[];
}

/** What a re-judged event was about, for the rehearsal's named lines. */
export interface FreshnessLabel {
  what: "late" | "at-risk";
  promise: string;
  app: string;
  key: string;
  deadlineMs: number;
  /** When the recorded reloads made it fresh (absent: not within the window). */
  freshMs?: number;
  /** A "never older than" promise: its age limit (deadlineMs is then when the data got too old). */
  maxAgeMs?: number;
  /** A promise an app made in its custom property, named from its recorded events (own-promises.ts). */
  own?: true;
}

export interface RejudgedFreshness {
  events: RecordedEvent[];
  labels: Map<string, FreshnessLabel>;
}

/**
 * The times the judge's answer can change: each deadline, each warning time and each reload's end in the window; for
 * a "never older than" promise, when the data of each reload (or of the window's start) gets too old or old enough to warn.
 */
function lookTimes(
  promises: readonly JudgedPromise[],
  reloads: readonly RecordedReload[],
  appsOf: (p: JudgedPromise) => ReadonlySet<string>,
  from: number,
  to: number,
): number[] {
  const times = new Set<number>();
  for (const p of promises) {
    const d = p.deadlines;
    if (!d) continue;
    for (let t = d.after(from - 1); t !== undefined && t <= to; t = d.after(t)) {
      times.add(t);
      if (d.warnBeforeMs > 0 && t - d.warnBeforeMs >= from) times.add(t - d.warnBeforeMs);
    }
  }
  for (const r of reloads) if (r.stopMs >= from && r.stopMs <= to) times.add(r.stopMs);
  for (const p of promises) {
    if (!p.maxAge) continue;
    const mine = appsOf(p);
    for (const t of maxAgeLookTimes(
      p.maxAge,
      reloads.filter((r) => mine.has(r.appId)),
      from,
      to,
    ))
      times.add(t);
  }
  return [...times].sort((a, b) => a - b);
}

/**
 * The events `promises` would have raised over [from, to] on the recorded reloads (oldest
 * first; those before `from` say how fresh each app was when the window began).
 */
export function rejudgeFreshness(
  promises: readonly JudgedPromise[],
  reloads: readonly RecordedReload[],
  apps: readonly AppMeta[],
  o: { from: number; to: number; host: string; chains?: RecordedChains },
): RejudgedFreshness {
  const judged = promises.filter((p) => p.deadlines !== undefined || p.maxAge !== undefined);
  const out: RejudgedFreshness = { events: [], labels: new Map() };
  if (judged.length === 0) return out;
  // Only the apps the promises name are judged, and only their reloads are looks: a site's other runs change nothing.
  const known = apps.map((a) => ({ ...a, lagsMs: [] as number[] }));
  const appsOf = new Map(judged.map((p) => [p.name, new Set(promisedApps(p, known).map((a) => a.appId))]));
  const named = new Set([...appsOf.values()].flatMap((ids) => [...ids]));
  const sorted = reloads.filter((r) => named.has(r.appId)).sort((a, b) => a.stopMs - b.stopMs);
  const state = new Map<string, AppFreshness>(known.filter((a) => named.has(a.appId)).map((a) => [a.appId, a]));
  const open = new Map<string, OpenFreshness & { openedMs: number; labels: FreshnessLabel[] }>();
  const since = new Map(judged.map((p) => [p.name, o.from]));
  const textOf = new Map(judged.map((p) => [p.name, p.text]));
  let next = 0;
  const emit = (kind: WatchdogEvent["kind"] & `app.freshness_${string}`, level: Level, f: FreshnessFinding, openedMs: number, at: number, closed?: boolean) => {
    const event = freshnessEvent({
      kind,
      level: level === "warning" ? "freshness_warning" : "freshness_breached",
      finding: f,
      promiseText: textOf.get(f.promise) ?? "",
      openedAtMs: openedMs,
      ...(closed ? { closedAtMs: at } : {}),
      nowMs: at,
      host: o.host,
      alsoFeeds: [],
    });
    out.events.push({ at, event });
    return event;
  };
  const label = (f: FreshnessFinding, what: FreshnessLabel["what"]): FreshnessLabel => ({
    what,
    promise: f.promise,
    app: f.app.appName,
    key: f.key,
    deadlineMs: f.deadlineMs,
    ...(f.maxAgeMs !== undefined ? { maxAgeMs: f.maxAgeMs } : {}),
  });
  // "Never older than" promises are judged on the reloads alone: through a chain, their data's age depends on what the
  // live judge kept at each look (its data times), which the rehearsal does not follow (docs/rehearse.md says so).
  const byDeadline = judged.filter((p) => !p.maxAge);
  const byAge = judged.filter((p) => p.maxAge);
  const judgeAt = (t: number, apps: AppFreshness[], opened: OpenFreshness[]) => {
    const base = { apps, upstreams: [], checkStates: new Map(), open: opened, since, nowMs: t };
    const deadlines = judgeFreshness({ ...base, promises: byDeadline, ...(o.chains ? { tasks: tasksAt(o.chains, t) } : {}) });
    const ages = judgeFreshness({ ...base, promises: byAge });
    return {
      opens: [...deadlines.opens, ...ages.opens],
      escalations: [...deadlines.escalations, ...ages.escalations],
      closes: [...deadlines.closes, ...ages.closes],
    };
  };
  for (const t of lookTimes(judged, sorted, (p) => appsOf.get(p.name) ?? new Set(), o.from, o.to)) {
    for (; next < sorted.length && sorted[next]!.stopMs <= t; next++) {
      const r = sorted[next]!;
      const a = state.get(r.appId) ?? { appId: r.appId, appName: r.appId, tags: [], lagsMs: [] };
      state.set(r.appId, { ...a, lastSuccessMs: r.stopMs, ...(r.startMs !== undefined ? { lastSuccessStartMs: r.startMs } : {}) });
    }
    const j = judgeAt(t, [...state.values()], [...open.values()]);
    for (const f of j.opens) {
      const l = label(f, f.level === "warning" ? "at-risk" : "late");
      const e = emit(f.level === "warning" ? "app.freshness_warning" : "app.freshness_breached", f.level, f, t, t);
      out.labels.set(e.id, l);
      open.set(f.key, { key: f.key, deadlineMs: f.deadlineMs, level: f.level, openedMs: t, labels: [l] });
    }
    for (const f of j.escalations) {
      const row = open.get(f.key)!;
      const l = label(f, "late");
      out.labels.set(emit("app.freshness_breached", "breached", f, row.openedMs, t).id, l);
      open.set(f.key, { ...row, level: "breached", labels: [...row.labels, l] });
    }
    for (const f of j.closes) {
      const row = open.get(f.key)!;
      emit("app.freshness_recovered", row.level, f, row.openedMs, t, true);
      // Every page of the deadline learns when the data came: "late … (fresh at 07:40)".
      for (const l of row.labels) l.freshMs = f.app.lastSuccessMs ?? t;
      open.delete(f.key);
    }
  }
  return out;
}
