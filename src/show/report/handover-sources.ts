// What the handover reads: the open causes (and the task incidents each holds, from its symptoms), the open task
// incidents, and the silences in force that end within a day of the report.
import type { CauseStore } from "../../tell/grouping/cause-store";
import type { IncidentRow } from "../../tell/incidents/incident-store";
import type { SilenceService } from "../../tell/silences";
import { type Handover, type HandoverItem, SNOOZE_AHEAD_MS } from "./handover";

/** Open causes read at most (the newest). */
const MAX_CAUSES = 200;

export async function gatherHandover(
  deps: { causeStore?: Pick<CauseStore, "list" | "symptoms">; silences?: Pick<SilenceService, "list"> },
  openIncidents: readonly IncidentRow[],
  to: number,
): Promise<Handover> {
  const [causes, silences] = await Promise.all([
    deps.causeStore ? deps.causeStore.list({ status: "open", limit: MAX_CAUSES }) : [],
    deps.silences ? deps.silences.list({ state: "active", limit: 500 }) : [],
  ]);
  const low = (id: string | null) => (id ?? "").toLowerCase();
  const heldByCause = new Set<string>();
  const items: HandoverItem[] = [];
  for (const c of causes) {
    const tasks = new Set((await deps.causeStore!.symptoms(c.id)).flatMap((s) => (s.taskId ? [low(s.taskId)] : [])));
    const held = openIncidents.filter((i) => i.taskId !== null && tasks.has(low(i.taskId)));
    for (const i of held) heldByCause.add(low(i.taskId));
    items.push({
      label: `Cause #${c.id}: ${c.title}`,
      openedAt: c.openedAt,
      heldBy: c.acknowledgedBy,
      heldSince: c.acknowledgedAt,
      ...(held.length > 0 ? { incidents: held.length } : {}),
    });
  }
  for (const i of openIncidents) {
    if (i.taskId !== null && heldByCause.has(low(i.taskId))) continue;
    items.push({ label: `Incident #${i.id}: ${i.title}`, openedAt: i.openedAt, heldBy: i.acknowledgedBy, heldSince: i.acknowledgedAt });
  }
  const snoozesEnding = silences
    .filter((s) => s.endedAt === null && s.endsAt > to && s.endsAt <= to + SNOOZE_AHEAD_MS)
    .map((s) => ({ id: s.id, author: s.author, reason: s.reason, endsAt: s.endsAt }));
  return { open: items, snoozesEnding };
}
