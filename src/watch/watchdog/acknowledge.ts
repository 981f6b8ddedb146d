// Acknowledging a watchdog condition: someone says they know (a task turned off on purpose, a deleted task that
// stays deleted). The REST call only records who and for which occurrence; the next look (on the Steward holding
// the watchdog lease) closes the condition with a task.on_track naming them, so a cluster announces it once.
import { z } from "zod";
import { auditActorOf } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import type { Router } from "../../platform/http/route";
import type { ConditionRow, WatchStore } from "./watch-store";

const ACK = (key: string) => `ack:${key}`;
const Ack = z.object({ by: z.string(), note: z.string().optional(), atMs: z.number(), openedMs: z.number() });

export function registerAcknowledgeRoute(router: Router, deps: { store?: WatchStore; clock: { now(): number } }): void {
  router.route(
    {
      method: "post",
      path: "/v4/watchdog/conditions/:key/acknowledge",
      summary: "Acknowledge an open watchdog condition",
      description:
        "Says someone knows (a task turned off on purpose, a deleted task that stays deleted): the next look closes the condition with a task.on_track naming who acknowledged it and the note.",
      tags: ["Alerts"],
      scope: "admin",
      params: z.object({ key: z.string().min(1).max(500) }),
      body: z.strictObject({ note: z.string().max(500).optional().describe("Why, shown in the task.on_track.") }).prefault({}),
      responses: { 202: { description: "Recorded; the next look closes it" }, 404: { description: "No open condition with this key" } },
    },
    async (c, { params, body }) => {
      const row = deps.store ? (await deps.store.openConditions()).find((r) => r.key === params.key) : undefined;
      if (!deps.store || !row) return c.json(errorBody(404, "NOT_FOUND", `no open watchdog condition ${params.key}`, { field: "key" }), 404);
      const ack = { by: auditActorOf(c).name, ...(body.note ? { note: body.note } : {}), atMs: deps.clock.now(), openedMs: row.openedMs };
      await deps.store.setMeta(ACK(row.key), JSON.stringify(ack));
      return c.json({ key: row.key, acknowledgedBy: ack.by, acknowledgedAt: new Date(ack.atMs).toISOString(), ...(ack.note ? { note: ack.note } : {}) }, 202);
    },
  );
}

/** The open conditions someone acknowledged (this occurrence, not an earlier one under the same key), with the text of why. */
export async function acknowledged(store: WatchStore, open: readonly ConditionRow[]): Promise<Array<{ row: ConditionRow; resolution: string }>> {
  const out: Array<{ row: ConditionRow; resolution: string }> = [];
  for (const row of open) {
    const raw = await store.getMeta(ACK(row.key));
    const a = raw ? Ack.safeParse(JSON.parse(raw)) : undefined;
    if (!a?.success || a.data.openedMs !== row.openedMs) continue;
    out.push({ row, resolution: `acknowledged by ${a.data.by} at ${new Date(a.data.atMs).toISOString()}${a.data.note ? `: ${a.data.note}` : ""}` });
  }
  return out;
}
