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
