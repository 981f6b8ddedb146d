// One promise from its config (or an app's custom property) to what the judge reads: the app selectors in lower
// case, and either the deadlines of a "fresh by" promise or the rule of a "never older than" one.
import type { FreshnessPromiseConfig } from "./config";
import { spanText } from "../../tell/notify/time-format";
import { compileActiveHours } from "./active-hours";
import { compileDeadlines } from "./deadlines";
import type { JudgedPromise } from "./judge";

const lowerSet = (xs: readonly string[]) => new Set(xs.map((x) => x.toLowerCase()));

export function compilePromise(name: string, p: FreshnessPromiseConfig): JudgedPromise {
  const apps = {
    appIds: lowerSet(p.appIds),
    appNames: lowerSet(p.appNames),
    streams: lowerSet(p.streams),
    appTags: lowerSet(p.appTags),
    ...(p.automations?.length ? { automations: lowerSet(p.automations) } : {}),
  };
  if (p.maxAge !== undefined) {
    const hours = compileActiveHours(p);
    return {
      name,
      maxAge: { maxAgeMs: p.maxAge, ...(p.warnAfter !== undefined ? { warnAfterMs: p.warnAfter } : {}), hours },
      text: `never older than ${spanText(p.maxAge)}, ${hours.text}`,
      ...apps,
    };
  }
  const deadlines = compileDeadlines({ ...p, freshBy: p.freshBy! });
  return { name, deadlines, text: deadlines.text, ...apps };
}
