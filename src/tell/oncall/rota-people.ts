// Everyone the rota names (issue 106): the rotations' people, their outsideHours desks, the people of overrides and
// the `people:` block, by mail address in lower case; a feed or an override is for one of them, never a stranger.
import { type OnCallConfig, scheduleNames, scheduleOf } from "./config";

export function rotaPeople(oncall: OnCallConfig | undefined): Set<string> {
  const all = new Set(Object.keys(oncall?.people ?? {}).map((a) => a.toLowerCase()));
  for (const name of scheduleNames(oncall)) {
    const s = scheduleOf(oncall, name)!;
    for (const p of [...s.people, ...s.overrides.map((o) => o.person), ...(s.outsideHours ? [s.outsideHours] : [])]) all.add(p.toLowerCase());
  }
  return all;
}

/** The mail address of a person signed in with the company directory (named "Name <mail> (sso:…)" or "mail (sso:…)"). */
export function signedInAddress(principal: { kind: string; name: string }): string | undefined {
  if (principal.kind !== "sso") return undefined;
  const shown = principal.name.replace(/ \(sso:[^)]+\)$/, "");
  const m = /<([^<>\s]+@[^<>\s]+)>$/.exec(shown) ?? /^([^<>\s]+@[^<>\s]+)$/.exec(shown);
  return m?.[1]?.toLowerCase();
}
