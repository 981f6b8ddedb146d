// The freshness promises a cause puts at risk: those about an app it affects (by id, name or stream), named on its
// open pages so the person paged at 02:00 knows which promise to the business the outage threatens (issue 64).

/** A promise as grouping needs it: its name, its deadline for people, and the apps it is about. */
export interface PromiseRef {
  name: string;
  /** "fresh by 07:00", "never older than 2h". */
  terms: string;
  appIds: readonly string[];
  appNames: readonly string[];
  streams: readonly string[];
}

/** Promises named on a page at most (the dashboard's freshness page lists them all). */
const MAX_NAMED = 20;

export function promisesAtRisk(
  promises: readonly PromiseRef[],
  affected: { appIds: ReadonlySet<string>; appNames: ReadonlySet<string>; streams: ReadonlySet<string> },
): string[] {
  const low = (s: string) => s.toLowerCase();
  return promises
    .filter(
      (p) =>
        p.appIds.some((id) => affected.appIds.has(low(id))) ||
        p.appNames.some((n) => affected.appNames.has(low(n))) ||
        p.streams.some((s) => affected.streams.has(low(s))),
    )
    .slice(0, MAX_NAMED)
    .map((p) => `${p.name} (${p.terms})`);
}

const NOT_KEPT = new Set(["app.freshness_warning", "app.freshness_breached"]);
/** A freshness symptom's kind as the promise's state, in freshness.md's words. */
const STATE_OF: Readonly<Record<string, "at risk" | "late" | "fresh again">> = {
  "app.freshness_warning": "at risk",
  "app.freshness_breached": "late",
  "app.freshness_recovered": "fresh again",
};

/**
 * The promises a cause holds the alerts of (subject `watch:freshness:<promise>:<app id>`), each with the app and how
 * far it went: at risk, late, fresh again (the dashboard's causes page and /v4/causes say it beside what is affected).
 */
export function promisesHeld(symptoms: ReadonlyArray<{ subject: string; kind: string; appName: string | null; lastAt: number }>) {
  return symptoms.flatMap((s) => {
    const state = STATE_OF[s.kind];
    if (!state || !s.subject.startsWith("watch:freshness:")) return [];
    const rest = s.subject.slice("watch:freshness:".length);
    const promise = rest.slice(0, Math.max(0, rest.lastIndexOf(":")));
    return promise ? [{ promise, app: s.appName, state, at: new Date(s.lastAt).toISOString() }] : [];
  });
}

/**
 * The promises an ended cause leaves at risk: those whose warning or breach it holds and that are not fresh again
 * (a node back up whose chain stopped while it was down: the over page says what is still late, not only what was).
 */
export function promisesLeftAtRisk(promises: readonly PromiseRef[], symptoms: ReadonlyArray<{ subject: string; kind: string }>): string[] {
  const late = symptoms.filter((s) => NOT_KEPT.has(s.kind)).map((s) => s.subject);
  return promises
    .filter((p) => late.some((subject) => subject.startsWith(`watch:freshness:${p.name}:`)))
    .slice(0, MAX_NAMED)
    .map((p) => `${p.name} (${p.terms})`);
}
