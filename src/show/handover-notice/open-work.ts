// What the incoming person inherits, one line each: the morning report's handover (each open cause and each task
// incident no cause holds, with who holds it or that nobody does; the snoozes ending within a day), then each
// remediation action waiting for a person's approval (the two-person rule, a rule's hold).
import type { SqlDb } from "../../platform/store/sql";
import type { CauseStore } from "../../tell/grouping/cause-store";
import type { IncidentService } from "../../tell/incidents";
import type { SilenceService } from "../../tell/silences";
import { handoverSection } from "../report/handover";
import { gatherHandover } from "../report/handover-sources";

export interface OpenWorkDeps {
  db: SqlDb;
  incidents?: Pick<IncidentService, "list">;
  causeStore?: Pick<CauseStore, "list" | "symptoms">;
  silences?: Pick<SilenceService, "list">;
  formatTime(ms: number): string;
}

/** Actions named at most: more is a night the dashboard's Actions page tells better. */
const MAX_AWAITING = 20;

export async function openWork(d: OpenWorkDeps, now: number): Promise<string[]> {
  const open = d.incidents ? await d.incidents.list({ status: "open", limit: 1000 }) : [];
  const handover = await gatherHandover(d, open, now);
  const lines = handoverSection(handover, d.formatTime).lines.map((l) => l.text);
  const awaiting = await d.db.all<{ id: number; kind: string; task_name: string; requested_by: string; requested_at: number }>(
    "SELECT id, kind, task_name, requested_by, requested_at FROM remediation_actions WHERE status = 'awaiting' ORDER BY requested_at LIMIT ?",
    [MAX_AWAITING],
  );
  for (const a of awaiting)
    lines.push(
      `Action #${a.id}: ${a.kind} of ${a.task_name} waits for a second person's approval (asked by ${a.requested_by} at ${d.formatTime(a.requested_at)})`,
    );
  return lines;
}
