// Puts the Engine's reload lines together into reloads: a start line opens one (node, app, session); an end line
// (success or failure) ends it, and the lines that follow within `settle` (the Engine's service log, a second audit
// line) join it before it is handed on. Everything held is bounded: reloads awaited, lines per reload, their length.
import type { Clock, Timer } from "../../platform/core/clock";
import type { EngineLine } from "./engine-line";

/** A reload heard from start (when its start line came) to end. */
export interface FinishedReload {
  /**
   * Identity across Stewards and restarts: node, app, session and the time of its first end line as sent. Every
   * Steward the node's appender sends to derives the same key from the same lines, so the store's claim on it makes
   * one of them announce the reload.
   */
  key: string;
  /** The node as the line named it (%hostname). */
  node: string;
  appId: string;
  sessionId: string;
  /** `DIRECTORY\userid` of the session; "" when no line named one. */
  user: string;
  /** "0" or "" when no line came through the Qlik Proxy. */
  proxySessionId: string;
  startMs?: number;
  endMs: number;
  outcome: "succeeded" | "failed";
  /** What the failure lines said (ResultText or the message), in order, without repeats. */
  lines: string[];
  /** The loggers the lines came from, for the docs' "what is sent" and diagnostics. */
  loggers: string[];
  /** The address its end line came from (what it may add to the store is bounded per address); unset when read back. */
  source?: string;
}

export interface TrackerLimits {
  settleMs: number;
  forgetRunningAfterMs: number;
  maxOpen: number;
}

export interface TrackerCounts {
  /** A line was used (kind: start, success, failure) or left (other, orphan). */
  line(kind: string): void;
  /** A reload awaited was forgotten (reason: overflow, stale, restarted). */
  forgotten(reason: string): void;
}

export const MAX_LINES_PER_RELOAD = 20;
/** Each failing line is cut here (a marker says so): a forged datagram may carry 16 KB of text. */
export const MAX_LINE_CHARS = 500;
/** All the lines one reload keeps, together: what the store holds of a reload for `engineReloads.keep`. */
export const MAX_LINES_CHARS_PER_RELOAD = 4_096;
export const CUT_MARKER = " …[cut]";

/** The line as kept: at most MAX_LINE_CHARS, with the marker when it was longer. */
export const cutLine = (text: string, max = MAX_LINE_CHARS) =>
  text.length > max ? `${text.slice(0, Math.max(0, max - CUT_MARKER.length))}${CUT_MARKER}` : text;

interface Open {
  startMs: number;
  user: string;
  proxySessionId: string;
  /** The session's warnings and errors that did not name the reload (its service log), in order, bounded. */
  details: string[];
}

interface Settling {
  run: FinishedReload;
  timer: Timer;
}

/** The node part of a host name (qlik2 and qlik2.corp.example are one node). */
export const shortNode = (host: string) => (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":") ? host : (host.split(".")[0] ?? host)).toLowerCase();

/**
 * Keeps a failing line unless it repeats one kept or the reload holds its share already: at most
 * MAX_LINES_PER_RELOAD lines of MAX_LINES_CHARS_PER_RELOAD characters together, the last one cut to what is left.
 */
function addFailingLine(kept: string[], text: string): void {
  if (!text || kept.length >= MAX_LINES_PER_RELOAD || kept.includes(text)) return;
  const used = kept.reduce((n, l) => n + l.length, 0);
  const room = MAX_LINES_CHARS_PER_RELOAD - used;
  // Too little room for the marker and some text: the reload has said enough.
  if (room <= CUT_MARKER.length + 16) return;
  kept.push(cutLine(text, room));
}

export function createReloadTracker(limits: TrackerLimits, deps: { clock: Clock; counts: TrackerCounts; finished: (r: FinishedReload) => void }) {
  const { clock, counts } = deps;
  const open = new Map<string, Open>();
  const settling = new Map<string, Settling>();
  const keyOf = (l: EngineLine) => `${shortNode(l.host)}|${l.appId}|${l.sessionId}`;

  /** Oldest first (a Map keeps insertion order): the stale and the overflow go from the front. */
  function prune(now: number): void {
    for (const [k, o] of open) {
      if (now - o.startMs <= limits.forgetRunningAfterMs && open.size <= limits.maxOpen) break;
      open.delete(k);
      counts.forgotten(now - o.startMs > limits.forgetRunningAfterMs ? "stale" : "overflow");
    }
  }

  function addLine(run: FinishedReload, l: EngineLine): void {
    if (l.logger && !run.loggers.includes(l.logger) && run.loggers.length < 10) run.loggers.push(l.logger);
    if (!run.user && l.user) run.user = l.user;
    if ((!run.proxySessionId || run.proxySessionId === "0") && l.proxySessionId) run.proxySessionId = l.proxySessionId;
    if (l.kind !== "failure" && l.kind !== "detail") return;
    if (l.kind === "failure") run.outcome = "failed";
    keepText(run.lines, l.text);
  }

  /** A line's text among a reload's, once, cut, within the reload's bytes (a forged datagram may carry 16 KB). */
  function keepText(lines: string[], raw: string): void {
    addFailingLine(lines, cutLine(raw));
  }

  function finish(key: string): void {
    const s = settling.get(key);
    if (!s) return;
    settling.delete(key);
    clock.clearTimeout(s.timer);
    // A reload that ended well keeps no lines: its session's warnings are not a failure's why.
    if (s.run.outcome === "succeeded") s.run.lines = [];
    deps.finished(s.run);
  }

  function ended(key: string, l: EngineLine, at: number, source: string | undefined): void {
    const s = settling.get(key);
    if (s) {
      addLine(s.run, l);
      return;
    }
    if (settling.size >= limits.maxOpen) {
      const [oldest] = settling.keys();
      if (oldest !== undefined) finish(oldest); // judged early rather than lost
    }
    const o = open.get(key);
    open.delete(key);
    const run: FinishedReload = {
      key: `${key}|${l.timestamp}`,
      node: l.host,
      appId: l.appId,
      sessionId: l.sessionId,
      user: o?.user ?? "",
      proxySessionId: o?.proxySessionId ?? "",
      ...(o ? { startMs: o.startMs } : {}),
      endMs: at,
      outcome: "succeeded",
      // What the session's service log said before the end (a script's error) comes first: it is the why.
      lines: [...(o?.details ?? [])],
      loggers: [],
      ...(source !== undefined ? { source } : {}),
    };
    addLine(run, l);
    settling.set(key, { run, timer: clock.setTimeout(() => finish(key), limits.settleMs) });
  }

  return {
    /** One parsed line; `heardMs` stands in for a time that names no zone. */
    add(l: EngineLine, heardMs: number, source?: string): void {
      counts.line(l.kind);
      const at = l.timeMs ?? heardMs;
      const key = keyOf(l);
      if (l.kind === "start") {
        // The session's next reload began: the one before it has all its lines.
        if (settling.has(key)) finish(key);
        if (open.has(key)) counts.forgotten("restarted");
        open.delete(key);
        open.set(key, { startMs: at, user: l.user, proxySessionId: l.proxySessionId, details: [] });
        prune(heardMs);
        return;
      }
      if (l.kind === "other" || l.kind === "unrelated") return;
      if (l.kind === "detail") {
        // Joins the session's reload under way (or settling); a warning of no reload is nobody's.
        const o = open.get(key);
        if (o) keepText(o.details, l.text);
        else if (settling.has(key)) addLine(settling.get(key)!.run, l);
        return;
      }
      ended(key, l, at, source);
      prune(heardMs);
    },
    /** Reloads awaited (started) and being settled. */
    size: () => ({ open: open.size, settling: settling.size }),
    /** Hands on every reload still settling at once (Steward stops). */
    flush(): void {
      for (const key of [...settling.keys()]) finish(key);
    },
    /** Forgets everything held, timers included. */
    clear(): void {
      for (const s of settling.values()) clock.clearTimeout(s.timer);
      settling.clear();
      open.clear();
    },
  };
}

export type ReloadTracker = ReturnType<typeof createReloadTracker>;
