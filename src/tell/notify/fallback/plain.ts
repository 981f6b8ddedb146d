// The plain form of an alert, built in code from the event (no template can break it): what happened, where (task,
// app, node), when, the script-log lines that state the failure, and the note saying why the rich form is not sent.
// Each channel lays these out in its own format within its size limit (plainText cuts to a character budget).
import { clipLine, logMessage, showScriptLog } from "../../../hear/events/script-log-excerpt";
import { eventTitle } from "../../../hear/events/event-title";
import { type DomainEvent, isServiceEvent, isTaskEvent, type TaskEvent } from "../../../platform/events/types";
import { causeHeadline } from "../cause-render";
import { localTimes } from "../time-format";
import type { Notification } from "../types";

export interface PlainAlert {
  headline: string;
  /** Name and value: Task, App, Node, When, … */
  facts: Array<[string, string]>;
  /** The lines that state the failure ("line 5: Error: Field 'X' not found"), or a digest's alerts, one line each. */
  lines: string[];
  /** What `lines` are, as a heading ("Failing lines"). */
  linesTitle: string;
  note: string;
}

/** Failure lines kept in a plain form, each cut to LINE_CHARS: enough to see what broke, never the whole log. */
const MAX_LINES = 12;
const LINE_CHARS = 400;
/** A digest's alerts listed one line each. */
const MAX_DIGEST_LINES = 30;

const VERB: Partial<Record<string, string>> = { "task.recovered": "recovered", "task.warning": "succeeded with warnings" };

function taskHeadline(e: TaskEvent, typeText: string): string {
  if (e.kind.startsWith("app.")) return `App reload ${e.outcome}: ${e.app?.name ?? e.task.name}`;
  const resolved = e.kind === "task.recovered" ? e.incident?.resolved : undefined;
  const verb = resolved ? `resolved by ${resolved.by}` : (VERB[e.kind] ?? (e.outcome === "aborted" ? "was aborted" : e.outcome));
  return `${typeText ? `${typeText} task` : "Task"} ${verb}: ${e.task.name || e.task.id}`;
}

export function eventHeadline(e: DomainEvent, typeText = ""): string {
  if (isTaskEvent(e)) return taskHeadline(e, typeText);
  if (isServiceEvent(e)) return `Service ${e.service.displayName || e.service.name} ${e.state.toLowerCase()} on ${e.host}`;
  return e.title;
}

/** The lines of the script log that state the failure, numbered as in the log. */
function failingLines(e: TaskEvent): string[] {
  if (!e.scriptLog) return [];
  const shown = showScriptLog(e.scriptLog, { head: 0, tail: 0 });
  return shown.failures.slice(0, MAX_LINES).map((f) => `line ${f.n}: ${clipLine(logMessage(f.text), LINE_CHARS)}`);
}

function eventFacts(e: DomainEvent, zone: string): Array<[string, string]> {
  const when = (iso: string | undefined) => localTimes(iso, zone).zoned || iso || "";
  if (isTaskEvent(e)) {
    const facts: Array<[string, string]> = [["Task", e.task.name || e.task.id]];
    if (e.app) facts.push(["App", e.app.name]);
    facts.push(["Node", e.execution?.executingNode || e.host], ["When", when(e.execution?.stopTime ?? e.receivedAt)]);
    if (e.logMessage && e.outcome !== "succeeded") facts.push(["Message", e.logMessage]);
    return facts;
  }
  if (isServiceEvent(e))
    return [
      ["Service", e.service.displayName || e.service.name],
      ["Node", e.host],
      ["When", when(e.receivedAt)],
    ];
  const facts: Array<[string, string]> = [["What", e.summary]];
  if ("task" in e && e.task) facts.push(["Task", e.task.name]);
  if ("app" in e && e.app) facts.push(["App", e.app.name]);
  facts.push(["Node", e.host], ["When", when(e.receivedAt)]);
  for (const f of e.facts.slice(0, 6)) facts.push([f.name, String(f.value)]);
  return facts;
}

export function plainAlert(n: Notification, note: string): PlainAlert {
  const zone = typeof n.vars.timeZone === "string" ? n.vars.timeZone : "UTC";
  if (n.digest) {
    const lines = n.events.slice(0, MAX_DIGEST_LINES).map((e, i) => clipLine(`${eventHeadline(e, String(n.digestVars[i]?.taskTypeText ?? ""))}`, LINE_CHARS));
    if (n.events.length > lines.length) lines.push(`… and ${n.events.length - lines.length} more`);
    return {
      headline: `${n.events.length} alerts (route ${n.route})`,
      facts: [
        ["From", localTimes(n.events[0]!.receivedAt, zone).zoned],
        ["To", localTimes(n.events.at(-1)!.receivedAt, zone).zoned],
      ],
      lines,
      linesTitle: "Alerts",
      note,
    };
  }
  const e = n.event;
  const facts = eventFacts(e, zone).filter(([, v]) => v !== "");
  if (e.cause) facts.unshift(["Cause", causeHeadline(e.cause)]);
  return {
    headline: clipLine(eventHeadline(e, String(n.vars.taskTypeText ?? "")), LINE_CHARS),
    facts: facts.map(([k, v]) => [k, clipLine(v.replace(/\s+/g, " "), LINE_CHARS)]),
    lines: isTaskEvent(e) ? failingLines(e) : [],
    linesTitle: "Failing lines",
    note,
  };
}

/** The title a person knows the alert by (a task's name), for subjects. */
export function plainTitle(n: Notification): string {
  return n.digest ? `${n.events.length} alerts` : eventTitle(n.event);
}

/**
 * The plain form as text within `maxChars`: headline, facts, lines (the last ones dropped first, counted), the note.
 * `measure` counts as the target does (after its escaping).
 */
export function plainText(a: PlainAlert, maxChars: number, measure: (s: string) => number = (s) => s.length): string {
  const head = [a.headline, "", ...a.facts.map(([k, v]) => `${k}: ${v}`)];
  const tail = ["", a.note];
  const fixed = measure([...head, ...tail].join("\n"));
  const lines: string[] = [];
  let used = fixed + (a.lines.length ? measure(`\n\n${a.linesTitle}:`) : 0);
  for (const [i, l] of a.lines.entries()) {
    const more = `… ${a.lines.length - i} more`;
    if (used + measure(l) + 1 + measure(more) + 1 > maxChars) {
      lines.push(more);
      break;
    }
    lines.push(l);
    used += measure(l) + 1;
  }
  const body = lines.length ? [...head, "", `${a.linesTitle}:`, ...lines, ...tail] : [...head, ...tail];
  const text = body.join("\n");
  // Only a fact past every limit (a 400-character name, many of them) can still be too long: cut at the end.
  return measure(text) <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 1))}…`;
}
