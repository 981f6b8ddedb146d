// The demo's live terminal: one readable line per task event, per alert delivered to the capture inbox and
// per task the demo starts, coloured by outcome when the output is a terminal.
import type { TimelineEntry } from "../dashboard";
import { isDataCheckEvent, isEngineReloadKind, isTaskEvent, isWatchdogEvent, type TaskEvent } from "../../platform/events/types";
import type { CapturedItem } from "./capture-types";

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, grey: 90, bold: 1 } as const;
type Colour = keyof typeof CODES;

export interface DemoTerminal {
  /** `instance`: in a cluster, the Steward that claimed the event. */
  event(entry: TimelineEntry, instance?: string): void;
  delivered(item: CapturedItem): void;
  started(taskName: string, why: string): void;
  note(text: string): void;
  /** One of Steward's own log entries (pino's JSON line), told in one line like the story's: level, what, and where. */
  log(jsonLine: string): void;
  /** Cluster membership and leadership changes. */
  cluster(text: string): void;
  /** Raw lines (the banner). */
  print(text: string): void;
  paint(colour: Colour, text: string): string;
}

export function createDemoTerminal(opts: { write: (line: string) => void; colour: boolean; now?: () => Date }): DemoTerminal {
  const now = opts.now ?? (() => new Date());
  const paint = (c: Colour, s: string) => (opts.colour ? `\x1b[${CODES[c]}m${s}\x1b[0m` : s);
  const time = () => paint("grey", now().toTimeString().slice(0, 8));
  const label = (c: Colour, text: string) => paint(c, text.padEnd(12));
  const out = (c: Colour, tag: string, text: string) => opts.write(`${time()}  ${label(c, tag)} ${text}`);

  return {
    paint,
    print: (text) => opts.write(text),
    note: (text) => out("grey", "· note", text),
    log(jsonLine) {
      const told = logLine(jsonLine);
      if (told) out(told.level === "warn" ? "yellow" : told.level === "info" ? "grey" : "red", `! ${told.level.toUpperCase()}`, told.text);
    },
    cluster: (text) => out("magenta", "⚑ CLUSTER", text),
    started: (name, why) => out("blue", "▶ start", `${name} ${paint("grey", `(${why})`)}`),
    event({ event: e }, instance) {
      const by = instance ? paint("grey", `  [${instance}]`) : "";
      if (!isTaskEvent(e)) {
        if (isDataCheckEvent(e)) {
          out(e.kind === "data.check_passed" ? "green" : e.kind === "data.check_failed" ? "red" : "yellow", "◆ DATA", `${e.title}${by}`);
          return;
        }
        if (isWatchdogEvent(e)) {
          out(e.kind === "task.on_track" ? "green" : "yellow", e.kind === "task.on_track" ? "● WATCH" : "⏰ WATCH", `${e.title}${by}`);
          return;
        }
        if (!("service" in e)) {
          out("yellow", "◆ SITE", `${e.title}${by}`);
          return;
        }
        out(
          e.kind === "service.stopped" ? "red" : "green",
          e.kind === "service.stopped" ? "■ SERVICE" : "● SERVICE",
          `${e.service.name} on ${e.host}: ${e.previousState} → ${e.state}${by}`,
        );
        return;
      }
      const [c, tag]: [Colour, string] =
        e.outcome === "failed" ? ["red", "✖ FAILED"] : e.outcome === "aborted" ? ["yellow", "■ ABORTED"] : ["green", "✔ SUCCEEDED"];
      // A reload outside the Scheduler is an app someone reloaded, not a task: told as the app, who and where.
      if (isEngineReloadKind(e.kind)) {
        const why = e.outcome === "failed" ? failureReason(e) : undefined;
        const from = e.startedVia === "proxy" ? "from the hub or the data load editor" : "through the Engine API";
        out(
          c,
          tag,
          `${paint("bold", e.app?.name ?? e.task.name)}  ${paint("grey", `reloaded ${from} by ${e.user} · ${e.host}`)}${by}${why ? `\n${" ".repeat(10)}${paint(c, "└")} ${why}` : ""}`,
        );
        return;
      }
      const bits = [e.taskType, e.app ? `app ${e.app.name}` : undefined, e.host, e.source === "udp" ? undefined : `via ${e.source}`].filter(Boolean);
      const why = e.outcome === "succeeded" ? undefined : failureReason(e);
      out(c, tag, `${paint("bold", e.task.name)}  ${paint("grey", bits.join(" · "))}${by}${why ? `\n${" ".repeat(10)}${paint(c, "└")} ${why}` : ""}`);
    },
    delivered(item) {
      if (item.repeatOf !== undefined) {
        out("red", "‼ REPEAT", `the same delivery as inbox item #${item.repeatOf} arrived again (${item.deliveryId ?? "?"})`);
      }
      if (item.kind === "mail") {
        const kind = item.eventKind ?? "";
        out("cyan", "✉ ALERT MAIL", `${kind ? `${kind} ` : ""}→ ${item.envelopeTo.join(", ")}  ${paint("grey", `"${item.subject}"`)}`);
      } else {
        out("magenta", "↗ WEBHOOK", `${item.method} ${item.path}  ${paint("grey", item.summary)}`);
      }
    },
  };
}

const STAMP = /^\d{8}T\d{6}\.\d{3}[+-]\d{4}\s+/;
const shorten = (text: string) => (text.length > 140 ? `${text.slice(0, 137)}…` : text);

/** The most telling line of a failure: the script log's error line, else the scheduler's message. */
export function failureReason(e: TaskEvent): string | undefined {
  const kept = [...(e.scriptLog?.head ?? []), ...(e.scriptLog?.middle ?? []).map((l) => l.text), ...(e.scriptLog?.tail ?? [])];
  const lines = kept.map((l) => l.replace(STAMP, "").trim());
  const error = lines.findLast((l) => /\berror\b/i.test(l));
  const text = error ?? e.logMessage;
  return text ? shorten(text) : undefined;
}

/** A pino JSON line as one line of text: its message, then its error's message and its plain fields in brackets. */
export function logLine(jsonLine: string): { level: string; text: string } | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine.trim() ? { level: "info", text: jsonLine.trim() } : undefined;
  }
  const { level, time: _time, msg, err, problem, ...rest } = entry;
  const text = typeof msg === "string" ? msg : "";
  const bits: string[] = [];
  if (err && typeof err === "object" && "message" in err) bits.push(String((err as { message: unknown }).message));
  // A field repeating the message (the watchdog's `problem`) is not told twice.
  if (problem !== undefined && !text.includes(String(problem))) bits.push(String(problem));
  for (const [k, v] of Object.entries(rest)) if (k !== "module" && (typeof v === "string" || typeof v === "number")) bits.push(`${k} ${v}`);
  return { level: typeof level === "string" ? level : "info", text: bits.length > 0 ? `${text} (${bits.join("; ")})` : text };
}
