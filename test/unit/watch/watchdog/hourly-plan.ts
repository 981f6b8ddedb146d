// The QRS plan the watchdog's unit tests judge against: tasks on an hourly schedule in UTC, each with its own app.
import type { Plan, WatchedTask } from "../../../../src/watch/watchdog/qrs-plan";

/** Task `id` ("Task <id>", app "app-<id>"), triggered every hour from `startLocalMs` on. */
export function hourlyTask(id: string, startLocalMs: number): WatchedTask {
  return {
    id,
    name: `Task ${id}`,
    taskType: 0,
    enabled: true,
    tags: [],
    customProperties: [],
    appId: `app-${id}`,
    schedules: [
      {
        id: `tr-${id}`,
        name: "Hourly",
        enabled: true,
        schedule: {
          option: 1,
          increment: [0, 1, 0, 0],
          filter: { everyWeeks: 1, everyMonths: 1 },
          startLocalMs,
          timeZone: "UTC",
          daylightSaving: 0,
          expiresLocalMs: Number.POSITIVE_INFINITY,
        },
      },
    ],
    chains: [],
    overrides: {},
  };
}

/** A plan read at `readAtMs` holding `tasks` and their apps. */
export function planOf(tasks: WatchedTask[], readAtMs: number): Plan {
  return {
    readAtMs,
    problems: [],
    apps: new Map(tasks.map((t) => [t.appId!, { id: t.appId!, name: t.appId!, tags: [], customProperties: [] }])),
    tasks: new Map(tasks.map((t) => [t.id, t])),
  };
}
