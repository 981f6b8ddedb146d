// Builds the freshness events in the watchdog event's shape, with the app for routes and recipients: what was
// promised, what is late upstream (a job that did not check in, failed or still runs; a reload that failed), and
// when the app is now expected to be fresh. One builder for the warning, the breach and the recovery.
import type { FreshnessCondition, FreshnessEventKind, NameValue, WatchdogEvent } from "../../platform/events/types";
import { spanText } from "../../tell/notify/time-format";
import type { ChainEta } from "./chain-eta";
import { type FreshnessFinding, STARTED_WITH_CHECKIN_MS } from "./judge";
import { expectedAt, stoppedAt } from "./expected-at";
import type { FreshnessState } from "./states";

export interface FreshnessEventInput {
  kind: FreshnessEventKind;
  level: FreshnessCondition;
  finding: FreshnessFinding;
  promiseText: string;
  openedAtMs: number;
  closedAtMs?: number;
  nowMs: number;
  host: string;
  /** Other apps the late upstream jobs feed (named in the alert). */
  alsoFeeds: string[];
  /** A time inside a sentence or a fact, for people (the site's zone); ISO-8601 when not given. The data keeps ISO. */
  formatTime?: (ms: number) => string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function causes(f: FreshnessFinding, at: (ms: number) => string): string[] {
  const out: string[] = [];
  for (const u of f.upstream) {
    if (u.state === "not_checked_in") out.push(`job "${u.check}" has not checked in (due ${at(u.dueMs)})`);
    else if (u.state === "failed") out.push(`job "${u.check}" failed at ${at(u.atMs!)}`);
    else if (u.state === "running") out.push(`job "${u.check}" started at ${at(u.atMs!)} and has not finished`);
  }
  for (const p of f.chain?.problems ?? []) {
    if (p.state === "failed") out.push(`the run of "${p.task}" in its chain failed at ${at(p.atMs)}`);
    else if (p.state === "stopped") out.push(`"${p.task}" in its chain did not start when "${p.after}" ended at ${at(p.atMs)}`);
    else if (p.state === "queued") out.push(`"${p.task}" in its chain has waited for an engine since ${at(p.atMs)}, longer than the queue watch allows`);
    else out.push(`"${p.task}" in its chain has run since ${at(p.atMs)}, longer than usual`);
  }
  const c = f.chain?.cause;
  if (c) out.push(`${c.text} ${c.closedMs === undefined ? "holds" : "held"} up "${c.task}" in its chain`);
  const blocked = f.feed?.blocked;
  if (blocked && !f.chain?.problems.some((p) => p.taskId === blocked.taskId && p.state === "failed"))
    out.push(`the run of "${blocked.task}" upstream of it failed at ${at(blocked.atMs)}`);
  // A reload since then read the inputs that run did not renew: it is why the app reloaded and is still not fresh.
  if (blocked && f.app.lastSuccessMs !== undefined && f.app.lastSuccessMs >= blocked.atMs)
    out.push(
      `its reload${f.app.lastSuccessTask ? ` "${f.app.lastSuccessTask}"` : ""} at ${at(f.app.lastSuccessMs)} ran while "${blocked.task}" had failed: it read the old data`,
    );
  else if (
    !blocked &&
    f.feed?.arrivedMs !== undefined &&
    f.app.lastSuccessMs !== undefined &&
    f.app.lastSuccessMs >= (f.cycleStartMs ?? Number.NEGATIVE_INFINITY) &&
    (f.app.lastSuccessStartMs ?? f.app.lastSuccessMs) < f.feed.arrivedMs - STARTED_WITH_CHECKIN_MS
  )
    out.push(`its last reload, at ${at(f.app.lastSuccessMs)}, started before its chain's runs of the cycle ended (${at(f.feed.arrivedMs)})`);
  const a = f.app;
  if (a.lastFailMs !== undefined && (f.cycleStartMs === undefined || a.lastFailMs >= f.cycleStartMs) && (a.lastSuccessMs ?? -1) < a.lastFailMs)
    out.push(`the reload${a.lastFailTask ? ` "${a.lastFailTask}"` : ""} failed at ${at(a.lastFailMs)}`);
  const old = f.readOldData;
  if (old)
    out.push(
      `its last reload${a.lastSuccessTask ? ` "${a.lastSuccessTask}"` : ""} started at ${at(old.startMs)}, before ${old.checks.map((c) => `"${c}"`).join(" and ")} checked in at ${at(old.arrivedMs)}: it read the old data`,
    );
  if (out.length === 0) out.push(`no successful reload since ${f.cycleStartMs !== undefined ? at(f.cycleStartMs) : "Steward began watching"}`);
  return out;
}

/** What is pending along the chain, for the administrator: a retry due, a run waiting for an engine, Steward's own reload. */
function pendingText(pending: ChainEta["pending"], at: (ms: number) => string): string {
  return (pending ?? []).map((p) => pendingLine(p, at)).join("; ");
}

function pendingLine(p: NonNullable<ChainEta["pending"]>[number], at: (ms: number) => string): string {
  if (p.kind === "retry") return `a run of "${p.task}" is due at ${at(p.atMs)}`;
  if (p.kind === "reload") return `Steward's own Engine reload of the app, from ${at(p.atMs)}`;
  return `"${p.task}" has waited for an engine since ${at(p.atMs)}`;
}

function expectation(f: FreshnessFinding, at: (ms: number) => string): string {
  const name = f.app.appName;
  const chain = f.chain;
  const checksDone = f.upstream.every((u) => u.state === "done");
  if (chain?.expectedMs !== undefined && checksDone)
    return `${name} will be fresh at about ${at(chain.expectedMs)} (${chain.via.map((t) => `"${t}"`).join(" → ")}, from the triggers and the usual durations).`;
  const stopped = stoppedAt(f);
  const c = chain?.cause;
  if (stopped)
    return `${name} will not be fresh until "${stopped}" runs again and succeeds (its chain stopped there${c && c.closedMs === undefined ? `; fix ${c.text} first` : ""}).`;
  if (chain?.earliestMs !== undefined && checksDone)
    return `When ${name} will be fresh is not known yet: ${pendingText(chain.pending, at) || "its chain waits for a start that is not known yet"}.`;
  if (f.expectedMs !== undefined) return `${name} is expected to be fresh at about ${at(f.expectedMs)}.`;
  const waiting = f.upstream.filter((u) => u.state !== "done").map((u) => `"${u.check}"`);
  if (waiting.length > 0 && f.usualLagMs !== undefined) return `${name} is usually fresh ${spanText(f.usualLagMs)} after ${waiting.join(" and ")} checks in.`;
  return `When ${name} will be fresh is not known yet (Steward has not seen enough cycles).`;
}

/** ", after its chain ran ("Extract" → "Transform")", ", after "erp-extract" checked in", or "". */
function broughtText(f: FreshnessFinding): string {
  if (f.broughtBy?.after === "chain" && f.feed)
    return `, after its chain ran (${[...f.feed.upstream]
      .reverse()
      .map((u) => `"${u.name}"`)
      .join(" → ")})`;
  if (f.broughtBy?.after === "checkin" && f.upstream.length > 0) return `, after ${f.upstream.map((u) => `"${u.check}"`).join(" and ")} checked in`;
  return "";
}

/** A warning given before its time because the breach became certain says so first. */
function atRiskText(f: FreshnessFinding, level: FreshnessCondition, deadline: string): string {
  return f.atRisk && level === "freshness_warning" ? `The promise cannot be kept: ${f.app.appName} will not be fresh by ${deadline} (${f.atRisk}). ` : "";
}

/** A "never older than" promise's opening words. */
function ageText(f: FreshnessFinding, level: FreshnessCondition, maxAge: string, deadline: string, at: (ms: number) => string): string {
  const asOf =
    f.dataAsOfMs !== undefined
      ? `its data is as of ${at(f.dataAsOfMs)} at the latest`
      : f.app.lastSuccessMs !== undefined
        ? `its data is as of ${at(f.app.lastSuccessMs)}`
        : "Steward has seen no successful reload";
  return level === "freshness_warning"
    ? `${f.app.appName} is promised never older than ${maxAge} and ${asOf}: too old at ${deadline}`
    : `${f.app.appName} is older than the promised ${maxAge} since ${deadline} (${asOf})`;
}

export function freshnessEvent(i: FreshnessEventInput): WatchdogEvent {
  const f = i.finding;
  const at = i.formatTime ?? iso;
  const app = f.app.appName;
  const closing = i.kind === "app.freshness_recovered";
  const deadline = at(f.deadlineMs);
  const why = causes(f, at);
  const maxAge = f.maxAgeMs !== undefined ? spanText(f.maxAgeMs) : undefined;
  // The titles say the state in the one vocabulary (states.ts): at risk, late, fresh.
  const title = closing
    ? `Fresh again: ${app}`
    : i.level === "freshness_warning"
      ? maxAge
        ? `At risk: ${app} will be older than ${maxAge} at ${deadline}`
        : f.atRisk
          ? `At risk: ${app} will not be fresh by ${deadline}`
          : `At risk: ${app} is not fresh yet (due ${deadline})`
      : maxAge
        ? `Late: ${app} is older than the promised ${maxAge}`
        : `Late: ${app} was not fresh by ${deadline}`;
  const feedsText = i.alsoFeeds.length > 0 ? ` The late job also feeds ${i.alsoFeeds.map((a) => `"${a}"`).join(", ")}.` : "";
  const summary = closing
    ? `${app} is fresh: reloaded successfully at ${f.app.lastSuccessMs !== undefined ? at(f.app.lastSuccessMs) : "(unknown)"}${f.app.lastSuccessTask ? ` by "${f.app.lastSuccessTask}"` : ""}${broughtText(f)}, ${maxAge ? `promised never older than ${maxAge}` : `promised by ${deadline}`}.`
    : `${atRiskText(f, i.level, deadline)}${maxAge ? ageText(f, i.level, maxAge, deadline, at) : `${app} ${i.level === "freshness_warning" ? "is not fresh yet and is promised" : "was not fresh"} by ${deadline}`} (promise "${f.promise}", ${i.promiseText}): ${why.join("; ")}. ${expectation(f, at)}${feedsText}`;
  const facts: NameValue[] = [];
  // A failure upstream or of the reload itself (not only lateness): the status badge says "failed".
  const failed =
    f.upstream.some((u) => u.state === "failed") ||
    (f.app.lastFailMs !== undefined && (f.cycleStartMs === undefined || f.app.lastFailMs >= f.cycleStartMs) && (f.app.lastSuccessMs ?? -1) < f.app.lastFailMs);
  const state: FreshnessState = closing ? "fresh" : i.level === "freshness_warning" ? "at_risk" : "late";
  const data: WatchdogEvent["data"] = { condition: i.level, state, openedAt: iso(i.openedAtMs), promise: f.promise, deadline: iso(f.deadlineMs), failed };
  const fact = (name: string, value: string | undefined, key?: string, raw?: string | number) => {
    if (value === undefined || value === "") return;
    facts.push({ name, value });
    if (key) data[key] = raw ?? value;
  };
  fact("App", app, "appName");
  fact("Promise", `${f.promise}: ${i.promiseText}`);
  fact(maxAge ? "Too old from" : "Fresh by", deadline);
  if (maxAge) fact("Never older than", maxAge, "maxAgeMs", f.maxAgeMs);
  if (f.cycleStartMs !== undefined) fact("Data must be from after", at(f.cycleStartMs), "cycleStart", iso(f.cycleStartMs));
  if (f.app.lastSuccessMs !== undefined) fact("Data as of", at(f.app.lastSuccessMs), "dataAsOf", iso(f.app.lastSuccessMs));
  if (!closing) fact("Why", why.join("; "), "why");
  if (!closing && i.level === "freshness_warning") fact("At risk because", f.atRisk, "atRisk");
  const expectedMs = expectedAt(f);
  if (expectedMs !== undefined && !closing) fact("Expected fresh at", at(expectedMs), "expectedAt", iso(expectedMs));
  if (f.chain && f.chain.via.length > 0 && !closing) fact("Chain", f.chain.via.join(" → "), "chain", f.chain.via.join(" → "));
  if (f.chain?.cause && !closing) fact("Held up by", f.chain.cause.text, "causeId", f.chain.cause.id);
  if (!closing) fact("Pending", f.chain && pendingText(f.chain.pending, at), "pending");
  for (const u of f.upstream) fact(`Upstream job ${u.check}`, u.state.replace(/_/g, " "));
  if (i.alsoFeeds.length > 0) fact("The late job also feeds", i.alsoFeeds.join(", "), "alsoFeeds");
  if (closing && i.closedAtMs !== undefined) fact("Fresh at", at(i.closedAtMs), "closedAt", iso(i.closedAtMs));
  // The reload that brought the data, and what it came after: /status and the subscribers' "fresh again" cite it.
  if (closing && f.broughtBy) {
    fact("Data brought by", `the reload at ${at(f.broughtBy.reloadMs)}${broughtText(f)}`, "freshFrom", iso(f.broughtBy.reloadMs));
    data.freshAfter = f.broughtBy.after;
  }
  return {
    id: `freshness:${f.key}:${f.deadlineMs}:${closing ? "closed" : i.level}`,
    kind: i.kind,
    receivedAt: iso(i.nowMs),
    host: i.host,
    title,
    summary,
    facts,
    data,
    app: { id: f.app.appId, name: app, tags: f.app.tags, customProperties: [], ...(f.app.stream ? { stream: f.app.stream } : {}) },
    condition: {
      type: i.level,
      key: f.key,
      openedAt: iso(i.openedAtMs),
      ...(i.closedAtMs !== undefined ? { closedAt: iso(i.closedAtMs) } : {}),
    },
  };
}
