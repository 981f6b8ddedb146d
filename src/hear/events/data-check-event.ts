// Builds the data.check_* events (src/watch/checks raises them; previews build samples): title, summary and facts
// for people, the app, task, reload and check for routes and templates.
import type { CheckValue, DataCheckEvent, DataCheckEventKind, NameValue, ReloadTrigger } from "../../platform/events/types";

export interface DataCheckEventInput {
  kind: DataCheckEventKind;
  runId: string;
  nowMs: number;
  host: string;
  app: DataCheckEvent["app"];
  task?: DataCheckEvent["task"];
  reload: ReloadTrigger;
  check?: DataCheckEvent["check"];
  error?: DataCheckEvent["error"];
  holdsBack: boolean;
}

/** A value as people read it: the Engine's text, with the number beside it when the text hides it. */
export function showCheckValue(v: CheckValue | null): string {
  if (v === null) return "(no value)";
  if (v.number === null || v.text === String(v.number)) return v.text === "" ? "(empty)" : v.text;
  return `${v.text} (${v.number})`;
}

const STATUS = { "data.check_failed": "failed", "data.check_passed": "passed", "data.check_error": "error" } as const;

export function dataCheckEvent(i: DataCheckEventInput): DataCheckEvent {
  const c = i.check;
  const id = c ? `check:${i.runId}:${c.name}:${STATUS[i.kind]}` : `check:${i.runId}:error`;
  const appName = i.app.name || i.app.id;
  const hold = i.holdsBack ? " Steward holds back the follow-up tasks of this reload." : "";
  let title: string;
  let summary: string;
  if (!c) {
    const message = i.error?.message ?? "unknown error";
    title = `Data checks could not run on ${appName}`;
    summary = `The data checks of ${appName} could not be evaluated after its reload: ${message}.${hold}`;
  } else if (i.kind === "data.check_failed") {
    title = `Data check failed: ${c.name} on ${appName}`;
    summary = `${c.expression} is ${showCheckValue(c.value)}; expected ${c.expect}${c.resolved && c.resolved !== c.expect ? ` (${c.resolved})` : ""}.${c.message ? ` ${c.message}.` : ""}${hold}`;
  } else if (i.kind === "data.check_passed") {
    title = `Data check passes again: ${c.name} on ${appName}`;
    summary = `${c.expression} is ${showCheckValue(c.value)}, as expected (${c.expect}).`;
  } else {
    title = `Data check could not be evaluated: ${c.name} on ${appName}`;
    summary = `The Engine could not evaluate ${c.expression}: ${c.message ?? "unknown error"}.${hold}`;
  }
  const facts: NameValue[] = [{ name: "App", value: appName }];
  if (c) {
    facts.push({ name: "Check", value: c.name }, { name: "Expression", value: c.expression });
    if (i.kind !== "data.check_error") facts.push({ name: "Value", value: showCheckValue(c.value) });
    facts.push({ name: "Expected", value: c.resolved && c.resolved !== c.expect ? `${c.expect} (${c.resolved})` : c.expect });
    facts.push({ name: "Previous value", value: c.previous === null ? "(none yet)" : String(c.previous) });
    facts.push({ name: "Severity", value: c.severity });
    if (c.message) facts.push({ name: i.kind === "data.check_error" ? "Engine says" : "Note", value: c.message });
  } else if (i.error) {
    facts.push({ name: "Error", value: i.error.message }, { name: "Checks not evaluated", value: i.error.checks.join(", ") });
  }
  facts.push({
    name: "Reload",
    value: i.task
      ? `task ${i.task.name}`
      : i.reload.kind === "reload-job"
        ? `reload job ${i.reload.id}`
        : i.reload.kind === "engine"
          ? `outside the Scheduler (the hub or the Engine API)${i.reload.at ? `, ended ${i.reload.at}` : ""}`
          : `${i.reload.kind} ${i.reload.id}`,
  });
  if (i.holdsBack) facts.push({ name: "Follow-up tasks", value: "held back" });
  return {
    id,
    kind: i.kind,
    receivedAt: new Date(i.nowMs).toISOString(),
    host: i.host,
    title,
    summary,
    facts,
    app: i.app,
    ...(i.task ? { task: i.task } : {}),
    reload: i.reload,
    runId: i.runId,
    ...(c ? { check: c } : {}),
    ...(i.error ? { error: i.error } : {}),
    holdsBack: i.holdsBack,
  };
}
