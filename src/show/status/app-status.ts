// What the business sees of an app: fresh, at risk, late or not known yet against its freshness promise (the one
// vocabulary of src/watch/freshness/states.ts), "data as of" its last successful reload, and for each promise the
// judge's projection: when the app is now expected to be fresh, or that the deadline will be missed and why, in the
// business reader's words. Read from the freshness store. Only names, times and states: no task, job, log or host.
import type { FreshnessConditionRow, FreshnessStore } from "../../watch/freshness/freshness-store";
import type { FreshnessProjection } from "../../watch/freshness/projection";
import { projectionKey } from "../../watch/freshness/projection-store";
import { FRESHNESS_RANK, FRESHNESS_WORDS, type FreshnessState, stateOfLevel } from "../../watch/freshness/states";
import { type FreshnessVerdict, freshnessState } from "../../watch/freshness/verdicts";
import type { DayJudgement } from "../../watch/freshness/record-store";
import { type PromiseRecord, promiseRecord } from "./promise-record";

export type StatusState = FreshnessState;

/** One promise of the app, as its users may read it. */
export interface PromiseStatus {
  /** The deadline at hand (ISO-8601). */
  promisedBy: string;
  /** When the app is now expected to be fresh, when Steward can tell. */
  expectedAt: string | null;
  /** The expected time has passed and the app is still not fresh. */
  overdue: boolean;
  /** Set when the deadline will be (or was) missed: why, in the users' words. */
  willMiss: string | null;
  /** A "never older than" promise: `promisedBy` is when its data is (or was) older than promised. */
  maxAge?: true;
}

export interface AppStatus {
  app: { id: string; name: string; stream: string | null };
  state: StatusState;
  /** A freshness promise names the app (else its state is unknown and the page leaves it out). */
  promised: boolean;
  /** A load failed: the job before Qlik that feeds it, or the app's own reload (while at risk or late). */
  loadFailed: boolean;
  /** The last successful reload (ISO-8601), or null when none is known. */
  dataAsOf: string | null;
  /** The deadline the open condition is about, when at risk or late. */
  promisedBy: string | null;
  /** When the app is now expected to be fresh, when Steward can tell. */
  expectedAt: string | null;
  /** Per promise whose chain has begun and whose app is not fresh yet: the projection. */
  promises: PromiseStatus[];
  /** One sentence for people, its times on the site's clock with the zone's name. */
  message: string;
  /** Per "fresh by" promise: its record of the last 30 and 90 days (when the judgements were read). */
  records?: PromiseRecord[];
}

export const worst = (states: StatusState[]): StatusState => states.reduce<StatusState>((w, s) => (FRESHNESS_RANK[s] < FRESHNESS_RANK[w] ? s : w), "fresh");

export interface StatusSources {
  store: FreshnessStore;
  /** The promises that name the app, by name (none: the app has no promise). */
  promisesOf(app: { appId: string; appName: string; stream?: string; tags: string[] }): string[];
  projections: ReadonlyMap<string, FreshnessProjection>;
  /** The judge's verdicts (src/watch/freshness/verdicts.ts), by projectionKey: the state every page says. */
  verdicts?: ReadonlyMap<string, FreshnessVerdict>;
  nowMs: number;
  /** A time in a sentence: "06:40 CET", "Tue 24 Nov 06:40 CET". */
  formatTime(ms: number): string;
  /** The judgements of the last 90 days' deadlines and the site's zone: each promise's record. */
  record?: { days: readonly DayJudgement[]; timeZone: string; deadlined: (promise: string) => boolean };
}

const iso = (ms: number) => new Date(ms).toISOString();

function promiseStatus(p: FreshnessProjection, nowMs: number): PromiseStatus {
  return {
    promisedBy: iso(p.deadlineMs),
    expectedAt: p.expectedMs === undefined ? null : iso(p.expectedMs),
    overdue: p.expectedMs !== undefined && p.expectedMs < nowMs,
    willMiss: p.missedForUsers ?? null,
  };
}

/** A held "never older than" promise, in the business's words (no task or job names), as the projections say it. */
const HELD_FOR_USERS = "a load it depends on failed and has to run again";

/**
 * A "never older than" promise has no deadline to project to: while its data is not fresh, its verdict says when the
 * data is (or was) too old, counted through the chain, and what holds it up.
 */
function maxAgeStatus(v: FreshnessVerdict | undefined): PromiseStatus[] {
  if (!v?.maxAge || v.fresh) return [];
  return [{ promisedBy: iso(v.deadlineMs), expectedAt: null, overdue: false, willMiss: v.heldBy ? HELD_FOR_USERS : null, maxAge: true }];
}

/** "expected fresh at about 07:40 CET", "overdue: expected at about 07:40 CET", or "" when nobody can tell. */
function expectedText(p: PromiseStatus, at: (ms: number) => string): string {
  if (!p.expectedAt) return "";
  return p.overdue ? `overdue: it was expected at about ${at(Date.parse(p.expectedAt))}` : `expected fresh at about ${at(Date.parse(p.expectedAt))}`;
}

/** What brought the data, in the business's words (no task or job names): ", loaded after the loads it depends on ran". */
const AFTER_WORDS: Record<string, string> = { chain: ", loaded after the loads it depends on ran", checkin: ", loaded after its data arrived" };

function sentence(
  name: string,
  state: StatusState,
  promised: boolean,
  asOf: string | null,
  ps: PromiseStatus[],
  at: (ms: number) => string,
  brought?: FreshnessVerdict["broughtBy"],
): string {
  if (!promised) return `${name} has no freshness promise.`;
  if (state === "unknown") return `Whether ${name} is up to date is ${FRESHNESS_WORDS.unknown}: Steward has not seen it load yet.`;
  const p = ps[0];
  if (state === "fresh") {
    const e = p ? expectedText(p, at) : "";
    const by = p ? at(Date.parse(p.promisedBy)) : "";
    const next = !p
      ? ""
      : p.willMiss
        ? ` New data will not be fresh by ${by}: ${p.willMiss}${e ? `; ${e}` : ""}.`
        : e
          ? ` New data is ${e} (promised by ${by}).`
          : "";
    return `${name} is up to date${asOf ? ` (data as of ${at(Date.parse(asOf))}${brought ? (AFTER_WORDS[brought.after] ?? "") : ""})` : ""}.${next}`;
  }
  const by = !p ? "" : p.maxAge ? ` (older than promised from ${at(Date.parse(p.promisedBy))})` : ` (promised by ${at(Date.parse(p.promisedBy))})`;
  const why = p?.willMiss ? `: ${p.willMiss}` : "";
  const when = p ? expectedText(p, at) || "when it will be fresh is not known yet" : "";
  return `${name} is ${FRESHNESS_WORDS[state]}${by}${why}${when ? `; ${when}` : ""}.`;
}

/** Statuses of every app the promises know, by app id. */
export async function readStatuses(src: StatusSources): Promise<AppStatus[]> {
  const [apps, open] = await Promise.all([src.store.apps(), src.store.openConditions()]);
  const byApp = new Map<string, FreshnessConditionRow[]>();
  for (const c of open) byApp.set(c.appId, [...(byApp.get(c.appId) ?? []), c]);
  return apps.map((a) => {
    const names = src.promisesOf(a);
    const conds = byApp.get(a.appId) ?? [];
    const latest = conds.map((c) => c.breachEvent ?? c.warnEvent).filter((e) => e !== undefined);
    // Each promise's state as the judge said it (an open condition, else its verdict), the worst of them shown.
    const perPromise = names.map((n) => freshnessState(conds.find((c) => c.promise === n)?.level, src.verdicts?.get(projectionKey(n, a.appId)), a));
    const state: StatusState = names.length === 0 ? "unknown" : worst([...perPromise, ...conds.map((c) => stateOfLevel(c.level))]);
    const brought = names.map((n) => src.verdicts?.get(projectionKey(n, a.appId))?.broughtBy).find((b) => b !== undefined && b.reloadMs === a.lastSuccessMs);
    const ps = names.flatMap((n) => {
      const p = src.projections.get(projectionKey(n, a.appId));
      return p ? [promiseStatus(p, src.nowMs)] : maxAgeStatus(src.verdicts?.get(projectionKey(n, a.appId)));
    });
    // The projection is the judge's latest word; the alert's expected time is what it said when it was raised.
    const first = latest[0];
    const alerted = typeof first?.data.expectedAt === "string" ? first.data.expectedAt : null;
    // The data's time through the chain when a "never older than" verdict knows it older than the last reload.
    const heldAsOf = names.flatMap((n) => src.verdicts?.get(projectionKey(n, a.appId))?.dataAsOfMs ?? []);
    const asOfMs = heldAsOf.length > 0 ? Math.min(...heldAsOf) : a.lastSuccessMs;
    const dataAsOf = asOfMs !== undefined ? iso(asOfMs) : null;
    return {
      app: { id: a.appId, name: a.appName, stream: a.stream ?? null },
      state,
      promised: names.length > 0,
      loadFailed: latest.some((e) => e.data.failed === true),
      dataAsOf,
      promisedBy: typeof first?.data.deadline === "string" ? first.data.deadline : null,
      expectedAt: ps[0]?.expectedAt ?? alerted,
      promises: ps,
      message: sentence(a.appName, state, names.length > 0, dataAsOf, ps, src.formatTime, brought),
      ...(src.record ? { records: recordsOf(a.appId, names, src.record, src.nowMs) } : {}),
    };
  });
}

/** The record of each "fresh by" promise naming the app ("never older than" promises have no deadline to keep). */
function recordsOf(appId: string, names: readonly string[], r: NonNullable<StatusSources["record"]>, nowMs: number): PromiseRecord[] {
  return names
    .filter((n) => r.deadlined(n))
    .map((n) =>
      promiseRecord(
        n,
        r.days.filter((d) => d.promise === n && d.appId === appId),
        nowMs,
        r.timeZone,
      ),
    );
}
