// Issue 88's rota tests share one week: a Steward on SQLite in a folder of its own, its time on a manual clock from
// Monday 23 November 2026 08:00 in Stockholm, and a weekly rotation of anna and bo handing over on Mondays at 09:00
// (weeks from Mon 2 Nov: anna, bo, anna from 16 Nov, bo from 23 Nov 09:00), with an override that puts carl on duty
// for Wednesday 25 November. Each test adds its channels and routes, and fails tasks at the times it checks.
import { createManualClock, type ManualClock } from "../../src/platform/core/clock";
import type { TaskEvent } from "../../src/platform/events/types";
import { syntheticTaskEvent } from "../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "./app";
import { createTempDir } from "./temp-dir";

export interface RotaSite {
  t: TestApp;
  clock: ManualClock;
  /** At `iso` on the clock, a task of its own fails (as heard from the Scheduler: its incident opens and pages). */
  failAt(iso: string, taskName: string): Promise<void>;
  /** Stops the Steward and removes its folder. */
  stop(): Promise<void>;
}

/** The `oncall:` section: `people` (oncall.people's entries, indented four spaces) and the `primary` rota. */
export function rotaYaml(people = ""): string {
  return `oncall:
${people ? `  people:\n${people}` : ""}  primary:
    timeZone: Europe/Stockholm
    people: [anna@corp.example, bo@corp.example]
    handover: { weekday: mon, at: "09:00" }
    firstWeek: "2026-11-02"
    overrides:
      # Bo's Wednesday off: carl covers the whole day (Stockholm is UTC+1 in November).
      - { person: carl@corp.example, from: "2026-11-25T00:00:00+01:00", until: "2026-11-26T00:00:00+01:00" }
`;
}

/** Starts the Steward with rotaYaml(`people`) followed by `rest` (its channels and routes); `startAt`: its clock's start. */
export async function startRotaSite(rest: string, people = "", startAt = "2026-11-23T07:00:00Z"): Promise<RotaSite> {
  const dir = createTempDir();
  const clock = createManualClock(Date.parse(startAt)); // by default Monday 08:00 in Stockholm
  const t = createTestApp(`${rotaYaml(people)}${rest}`, { clock, dir: dir.path });
  const stop = async () => {
    await t.app.stop();
    dir.remove();
  };
  try {
    await t.app.start();
  } catch (err) {
    await stop();
    throw err;
  }
  const failAt = async (iso: string, taskName: string) => {
    await clock.advance(Date.parse(iso) - clock.now());
    const e: TaskEvent = {
      ...syntheticTaskEvent({ outcome: "failed", taskName, taskId: `id-${taskName.replaceAll(" ", "-")}`, nowMs: clock.now() }),
      source: "udp",
    };
    const [annotated] = await t.app.incidents!.annotate(e);
    await t.app.bus.emit(annotated!.kind, annotated!);
  };
  return { t, clock, failAt, stop };
}
