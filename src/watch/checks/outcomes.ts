// From what the Engine answered to what a run records and says: each check's value and status, the run's
// verdict (does it hold back the follow-ups?), and the events — a failure once per streak, a pass after a
// failure or an error, an error once per streak. Pure functions over stored data, so a run resumed after a
// crash says exactly what it would have said.
import type { DataCheckConfig } from "./config";
import { dataCheckEvent } from "../../hear/events/data-check-event";
import type { CheckValue, DataCheckEvent } from "../../platform/events/types";
import type { RunDoc, RunVerdict, StoredValue, ValueStatus } from "./check-store";
import type { AppEvaluation } from "./evaluator";
import { engineTerms, judge, parseExpectation, type Expectation } from "./expectation";

export function expectationOf(c: DataCheckConfig): Expectation {
  const r = parseExpectation(c.expect);
  // The config schema refused any expectation that does not parse.
  if (!r.ok) throw new Error(`check ${c.name}: ${r.error}`);
  return r.expectation;
}

/** Every text the Engine must evaluate for these checks: their expressions and their expectations' Qlik calls. */
export function expressionsFor(checks: readonly DataCheckConfig[]): string[] {
  return [...new Set(checks.flatMap((c) => [c.expression, ...engineTerms(expectationOf(c))]))];
}

/** Each check's stored value, from the Engine's answers (or the error that stopped the run). */
export function valuesFor(
  checks: readonly DataCheckConfig[],
  evaluation: AppEvaluation,
  previous: ReadonlyMap<string, number | null>,
  base: { runId: string; appId: string; at: number },
): StoredValue[] {
  return checks.map((c) => {
    const common = {
      runId: base.runId,
      appId: base.appId.toLowerCase(),
      check: c.name,
      expression: c.expression,
      at: base.at,
      expect: c.expect,
      previous: previous.get(c.name) ?? null,
    };
    const errorValue = (message: string): StoredValue => ({ ...common, status: "error", value: null, resolved: null, message });
    if (!evaluation.ok) return errorValue(evaluation.error);
    const answer = evaluation.answers.get(c.expression);
    if (!answer) return errorValue("the Engine gave no answer for this expression");
    if (!answer.ok) return errorValue(answer.error);
    const terms = new Map<string, CheckValue>();
    for (const t of engineTerms(expectationOf(c))) {
      const a = evaluation.answers.get(t);
      if (a) terms.set(t, a.ok ? a.value : { text: a.error, number: null });
    }
    const v = judge(expectationOf(c), answer.value, { previous: common.previous, engine: terms });
    if (v.status === "error") return { ...common, status: "error", value: answer.value, resolved: null, message: v.message };
    return { ...common, status: v.status, value: answer.value, resolved: v.resolved, message: v.note ?? null };
  });
}

export interface Decision {
  verdict: RunVerdict;
  /** Why the follow-up tasks are held back, when they are. */
  holdBack?: string;
}

export function decide(checks: readonly DataCheckConfig[], values: readonly StoredValue[], runError: string | undefined, holdOnError: boolean): Decision {
  const severity = new Map(checks.map((c) => [c.name, c.severity]));
  const block = (status: ValueStatus) => values.filter((v) => v.status === status && severity.get(v.check) === "block").map((v) => v.check);
  const failed = block("failed");
  const errors = holdOnError ? block("error") : [];
  let holdBack: string | undefined;
  if (failed.length) holdBack = `block check${failed.length > 1 ? "s" : ""} ${failed.join(", ")} failed`;
  else if (errors.length)
    holdBack = `block check${errors.length > 1 ? "s" : ""} ${errors.join(", ")} could not be evaluated${runError ? `: ${runError}` : ""} (dataChecks.holdOnError)`;
  const verdict: RunVerdict = holdBack ? "blocked" : runError ? "error" : values.some((v) => v.status !== "passed") ? "failed" : "passed";
  return { verdict, ...(holdBack ? { holdBack } : {}) };
}

/** The events of a finished run; `lastStatus` is each check's status in the run before this one. */
export function eventsFor(
  run: RunDoc,
  checks: readonly DataCheckConfig[],
  values: readonly StoredValue[],
  lastStatus: ReadonlyMap<string, ValueStatus | undefined>,
  nowMs: number,
): DataCheckEvent[] {
  const byName = new Map(checks.map((c) => [c.name, c]));
  const base = { runId: run.runId, nowMs, host: run.host ?? "", app: stripSize(run.app), ...(run.task ? { task: run.task } : {}), reload: run.reload };
  const out: DataCheckEvent[] = [];
  const runError = run.error;
  for (const v of values) {
    const c = byName.get(v.check);
    if (!c) continue;
    const last = lastStatus.get(v.check);
    const holdsBack = run.holdBack !== undefined && c.severity === "block" && v.status !== "passed";
    const check: DataCheckEvent["check"] = {
      name: c.name,
      expression: c.expression,
      expect: c.expect,
      severity: c.severity,
      value: v.value,
      previous: v.previous,
      ...(v.resolved ? { resolved: v.resolved } : {}),
      ...(v.message ? { message: v.message } : {}),
    };
    if (v.status === "failed" && last !== "failed") out.push(dataCheckEvent({ ...base, kind: "data.check_failed", check, holdsBack }));
    else if (v.status === "passed" && (last === "failed" || last === "error"))
      out.push(dataCheckEvent({ ...base, kind: "data.check_passed", check, holdsBack: false }));
    else if (v.status === "error" && !runError && last !== "error") out.push(dataCheckEvent({ ...base, kind: "data.check_error", check, holdsBack }));
  }
  if (runError && values.some((v) => lastStatus.get(v.check) !== "error")) {
    out.push(
      dataCheckEvent({
        ...base,
        kind: "data.check_error",
        error: { message: runError, checks: values.map((v) => v.check) },
        holdsBack: run.holdBack !== undefined,
      }),
    );
  }
  return out;
}

function stripSize(app: RunDoc["app"]): DataCheckEvent["app"] {
  const { fileSize: _size, ...rest } = app;
  return rest;
}
