// The stale-app tests' site: app Sales reloaded by task Reload Sales every day at 06:00 UTC, judged on Tuesday
// 24 November 2026 at 09:00, its last six nights' reloads (5 minutes each) three to eight days ago: two reloads overdue.
import type { Plan } from "../../../../src/watch/watchdog/qrs-plan";
import { readSchemaEvent } from "../../../../src/watch/watchdog/schedule";
import type { RunRow } from "../../../../src/watch/watchdog/watch-store";

export const DAY = 86_400_000;
export const NOW = Date.parse("2026-11-24T09:00:00Z");

const read = readSchemaEvent({
  id: "tr1",
  name: "Daily 06:00",
  enabled: true,
  incrementOption: 2,
  incrementDescription: "0 0 1 0",
  startDate: "2026-01-01T06:00:00",
  timeZone: "UTC",
});
if (!read.ok) throw new Error(read.error);
const daily = read.trigger;

/** The plan as read ten days ago; `lastReloadMs`: QRS's lastReloadTime of the app as read with it. */
export function dailySalesPlan(lastReloadMs?: number): Plan {
  return {
    readAtMs: NOW - 10 * DAY,
    problems: [],
    apps: new Map([["a1", { id: "a1", name: "Sales", tags: [], customProperties: [], ...(lastReloadMs !== undefined ? { lastReloadMs } : {}) }]]),
    tasks: new Map([
      [
        "t1",
        {
          id: "t1",
          name: "Reload Sales",
          taskType: 0,
          enabled: true,
          tags: [],
          customProperties: [],
          appId: "a1",
          schedules: [daily],
          chains: [],
          overrides: {},
        },
      ],
    ]),
  };
}

/** Six nights of 5-minute reloads by the task, the last three days ago. */
export const SIX_NIGHTS: RunRow[] = [8, 7, 6, 5, 4, 3].map((d) => {
  const at = Date.parse("2026-11-24T06:00:00Z") - d * DAY;
  return { resultId: `r${d}`, taskId: "t1", status: 7, createdMs: at, startMs: at, stopMs: at + 5 * 60_000 };
});
