// Tells the demo terminal when Steward's own scheduler starts a task (cron or event trigger), by following
// the audit log's schedule.fire entries (polled four times a second).
import { every, wallClock } from "../../platform/core/clock";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { DemoTerminal } from "./terminal";

export interface ScheduleWatch {
  start(): Promise<void>;
  stop(): void;
}

export function createScheduleWatch(
  audit: Pick<AuditLog, "query">,
  term: DemoTerminal,
  taskName: (id: string) => string | undefined,
  intervalMs = 250,
): ScheduleWatch {
  let lastId = 0;
  let stopPolls: (() => void) | undefined;
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    const fresh = (await audit.query({ action: "schedule.fire", limit: 50 }).finally(() => (polling = false))).filter((e) => e.id > lastId).reverse();
    for (const e of fresh) {
      lastId = Math.max(lastId, e.id);
      const d = e.details ?? {};
      const task = typeof d.taskId === "string" ? (taskName(d.taskId) ?? d.taskId) : "a task";
      const reason = d.reason === "event" ? "event trigger" : String(d.reason ?? "cron");
      if (e.result === "ok") term.started(task, `Steward schedule “${String(d.schedule ?? e.target)}”, ${reason}`);
      else term.note(`schedule “${String(d.schedule ?? e.target)}” fired but ${task} did not start: ${String(d.error ?? "unknown error")}`);
    }
  };
  return {
    async start() {
      lastId = (await audit.query({ action: "schedule.fire", limit: 1 }))[0]?.id ?? 0;
      stopPolls ??= every(wallClock, intervalMs, () => void poll().catch(() => {}));
    },
    stop() {
      stopPolls?.();
      stopPolls = undefined;
    },
  };
}
