// Task names for the pages that hold only task ids (schedules, the audit log): read from QRS in one call per
// page for the ids not yet known, kept ten minutes. A page never waits long for it: when QRS is slow or down, the
// ids are shown as they are.
import type { QrsClient } from "../../platform/qlik";
import { eq, isGuid, or } from "../../platform/qlik/qrs-filter";

const KEEP_MS = 10 * 60_000;
const LOOKUP_TIMEOUT_MS = 2_000;
/** Ids per QRS filter: keeps the query string far below URL limits. */
const IDS_PER_CALL = 50;

export interface TaskNames {
  /** Names of the given task ids that are known (absent ids: unknown, or QRS did not answer). */
  of(ids: readonly string[]): Promise<Map<string, string>>;
}

export function createTaskNames(qrs: QrsClient | undefined, now: () => number = Date.now): TaskNames {
  const known = new Map<string, { name: string; at: number }>();
  return {
    async of(ids) {
      const out = new Map<string, string>();
      const wanted: string[] = [];
      for (const raw of new Set(ids.map((i) => i.toLowerCase()))) {
        const hit = known.get(raw);
        if (hit && now() - hit.at < KEEP_MS) out.set(raw, hit.name);
        else if (isGuid(raw)) wanted.push(raw);
      }
      if (!qrs || wanted.length === 0) return out;
      try {
        for (let i = 0; i < wanted.length; i += IDS_PER_CALL) {
          const chunk = wanted.slice(i, i + IDS_PER_CALL);
          const tasks = await qrs.listTasks(or(...chunk.map((id) => eq("id", id))), { timeoutMs: LOOKUP_TIMEOUT_MS });
          for (const t of tasks) {
            const id = t.id.toLowerCase();
            known.set(id, { name: t.name, at: now() });
            out.set(id, t.name);
          }
        }
      } catch {
        // QRS slow or down: the page shows ids for what it could not name.
      }
      return out;
    },
  };
}
