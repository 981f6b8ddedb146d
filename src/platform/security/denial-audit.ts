// Access denials, aggregated before they reach the audit log: the first denial of a caller (address, identity,
// check, status, route pattern) in a window is recorded in full, repeats only counted, and the count written as
// one entry when the window ends. Callers beyond a per-window cap share one entry per check and status, so a flood from many
// addresses (IPv6 makes those cheap) writes a bounded number of rows, whatever its rate.
import type { AuditEntry, AuditLog } from "../audit/audit-log";
import type { Clock, Timer } from "../core/clock";
import type { Component } from "../core/lifecycle";

export interface DenialAudit {
  record(entry: AuditEntry, check: string, status: number): void;
  /** Writes the counts of the current window and starts a new one. */
  flush(): void;
  component(): Component;
}

interface Tally {
  entry: AuditEntry;
  repeated: number;
  first: number;
  last: number;
}

export function createDenialAudit(audit: AuditLog, clock: Clock, options: { windowMs?: number; maxCallers?: number } = {}): DenialAudit {
  const windowMs = options.windowMs ?? 60_000;
  const maxCallers = options.maxCallers ?? 500;
  let windowStart = clock.now();
  const tallies = new Map<string, Tally>();
  let running = false;
  let timer: Timer | undefined;

  /** The window's end, armed only once a caller repeated a denial: an idle Steward keeps no timer for it. */
  const armWindowEnd = () => {
    if (!running || timer) return;
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        if (clock.now() - windowStart >= windowMs) flush();
        else armWindowEnd();
      },
      Math.max(0, windowStart + windowMs - clock.now()),
    );
    timer.unref?.();
  };

  const flush = () => {
    for (const t of tallies.values()) {
      if (t.repeated === 0) continue;
      const { requestId: _one, ...details } = t.entry.details ?? {};
      audit.record({
        ...t.entry,
        details: { ...details, repeated: t.repeated, firstRepeatAt: new Date(t.first).toISOString(), lastRepeatAt: new Date(t.last).toISOString() },
      });
    }
    tallies.clear();
    windowStart = clock.now();
  };

  return {
    flush,
    record(entry, check, status) {
      const now = clock.now();
      if (now - windowStart >= windowMs) flush();
      // The route pattern, not the path: a flood of random paths is one caller's one denial.
      const route = typeof entry.details?.route === "string" ? entry.details.route : "-";
      let key = `${entry.actor.ip ?? "-"}|${entry.actor.kind}:${entry.actor.name}|${check}|${status}|${route}`;
      let shown = entry;
      if (!tallies.has(key) && tallies.size >= maxCallers) {
        key = `*|${check}|${status}`;
        shown = { ...entry, actor: { kind: entry.actor.kind, name: "(more callers)" }, target: "(several)", details: { ...entry.details, aggregated: true } };
      }
      const t = tallies.get(key);
      if (t) {
        t.repeated++;
        if (t.repeated === 1) {
          t.first = now;
          armWindowEnd();
        }
        t.last = now;
        return;
      }
      tallies.set(key, { entry: shown, repeated: 0, first: now, last: now });
      audit.record(shown);
    },
    component() {
      return {
        name: "denial-audit",
        start() {
          running = true;
          if ([...tallies.values()].some((t) => t.repeated > 0)) armWindowEnd();
        },
        stop() {
          running = false;
          if (timer) clock.clearTimeout(timer);
          timer = undefined;
          flush();
        },
      };
    },
  };
}
