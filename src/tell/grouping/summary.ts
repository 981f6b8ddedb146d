// The parent's shape put on the alert that opened, updated or closed it: title, what it affects (counted and named)
// and a link to it on the dashboard. Names are capped so a cause of thousands of tasks still fits every channel.
import type { CauseSummary } from "../../platform/events/cause-summary";
import type { CauseStore, SymptomRow } from "./cause-store";
import { affected, stillFailingOf } from "./routes";
import { type PromiseRef, promisesAtRisk, promisesLeftAtRisk } from "./promises-at-risk";

/** Names listed per kind on an alert; the count says how many there are in all, the dashboard lists every one. */
export const NAMES_ON_ALERT = 50;
/** Run ids listed per page: enough for every run of a cause on a busy site's outage (each is 36 characters). */
export const RUNS_ON_ALERT = 1_000;
/** Symptoms that say a task did not start: named on the cause's pages as what did not run. */
const DID_NOT_START = new Set(["task.missed", "task.chain_broken"]);

/** What a remediation rule is trying for an open cause (by its key), if anything: wired late from src/start/remediation. */
export type CauseTrying = (causeKey: string) => Promise<CauseSummary["trying"]>;

/**
 * Of these symptoms' events, those a maintenance window lasting now holds, each with its window's name: a page of an
 * open cause that goes out (a run outside the window) names only what is outside it (issue 106).
 */
export type InsideWindows = (eventIds: readonly string[]) => Promise<ReadonlyMap<string, string>>;

/** "; 2 more inside maintenance window reload01-patches, not named": what a page leaves out, counted. */
function heldNote(symptoms: readonly SymptomRow[], inside: ReadonlyMap<string, string>): string {
  const held = symptoms.filter((s) => inside.has(s.eventId));
  if (held.length === 0) return "";
  const windows = [...new Set(held.map((s) => inside.get(s.eventId)!))].sort();
  return `; ${held.length} more inside maintenance window${windows.length === 1 ? "" : "s"} ${windows.join(", ")}, not named`;
}

export async function causeSummary(
  store: CauseStore,
  parentId: number,
  publicUrl: string | undefined,
  promises: readonly PromiseRef[] = [],
  trying?: CauseTrying,
  insideWindows?: InsideWindows,
): Promise<CauseSummary | undefined> {
  const p = await store.get(parentId);
  if (!p) return undefined;
  const all = await store.symptoms(parentId);
  const inside = p.status === "open" && insideWindows ? await insideWindows(all.map((s) => s.eventId)) : new Map<string, string>();
  const symptoms = inside.size > 0 ? all.filter((s) => !inside.has(s.eventId)) : all;
  const a = affected(symptoms);
  const runs = await store.runs(parentId, RUNS_ON_ALERT);
  const base = publicUrl?.replace(/\/+$/, "");
  const lows = (xs: Array<string | null>) => new Set(xs.filter((x): x is string => Boolean(x)).map((x) => x.toLowerCase()));
  const atRisk =
    promises.length === 0
      ? []
      : p.status === "open"
        ? promisesAtRisk(promises, {
            appIds: lows(symptoms.map((s) => s.appId)),
            appNames: lows(symptoms.map((s) => s.appName)),
            streams: lows(symptoms.map((s) => s.stream)),
          })
        : promisesLeftAtRisk(promises, symptoms);
  const tried = p.status === "open" && trying ? await trying(p.causeKey) : undefined;
  const didNotRun = [...new Set(symptoms.filter((s) => DID_NOT_START.has(s.kind) && s.taskName).map((s) => s.taskName!))].sort();
  return {
    id: p.id,
    title: p.title,
    status: p.status,
    text: `${a.text}${heldNote(all, inside)}`,
    tasks: a.tasks.slice(0, NAMES_ON_ALERT),
    apps: a.apps.slice(0, NAMES_ON_ALERT),
    streams: a.streams.slice(0, NAMES_ON_ALERT),
    runs: runs.ids,
    counts: { tasks: a.tasks.length, apps: a.apps.length, streams: a.streams.length, runs: runs.count },
    stillFailing: stillFailingOf(symptoms),
    openedAt: new Date(p.openedAt).toISOString(),
    ...(tried ? { trying: tried } : {}),
    ...(didNotRun.length > 0 ? { didNotRun: didNotRun.slice(0, NAMES_ON_ALERT) } : {}),
    ...(atRisk.length > 0 ? { promisesAtRisk: atRisk } : {}),
    ...(base ? { url: `${base}/ui/causes#cause-${p.id}` } : {}),
  };
}
