// Butler's schedule file: fields kept (ids, created, lastKnownState as the state), time zone default, and
// errors reported per entry with file:line:col and the YAML path; nothing returned unless all are valid.
import { describe, expect, test } from "bun:test";
import { AppError } from "../../../../src/platform/core/errors";
import { butlerTimezoneNote, parseButlerScheduleFile } from "../../../../src/start/scheduler/butler-import";

const NOW = () => Date.parse("2025-04-01T12:00:00Z");
const FILE = `butlerSchedule:
  - name: Every 30 seconds
    cronSchedule: '*/30 * * * * *'
    timezone: Europe/Stockholm
    qlikSenseTaskId: 7552d9fc-d1bb-4975-9a38-18357de531ea
    startupState: started
    tags:
      - Sales
      - åäö tag
    id: sched-1
    created: 2021-05-01T10:00:00.000Z
    lastKnownState: stopped
  - name: Weekdays 6-18
    cronSchedule: '0-30/5 6-18 * * 1-5'
    qlikSenseTaskId: 3c9e2b71-8d4a-4f60-b2d1-7e5a9c0f1b23
    startupState: stop
    id: sched-2
  - name: No id given
    cronSchedule: '0 3 * * *'
    timezone: America/New_York
    qlikSenseTaskId: 2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9
    startupState: start
`;

function errorOf(text: string): string {
  try {
    parseButlerScheduleFile(text, "sched.yaml", "UTC", NOW);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
    return (err as AppError).message;
  }
  throw new Error("expected an error");
}

describe("Butler schedule import", () => {
  test("reads every field; lastKnownState wins over startupState", () => {
    const out = parseButlerScheduleFile(FILE, "sched.yaml", "Europe/Paris", NOW);
    expect(out).toHaveLength(3);
    expect(out[0]).toEqual({
      id: "sched-1",
      created: "2021-05-01T10:00:00.000Z",
      state: "stopped",
      definition: {
        name: "Every 30 seconds",
        cronSchedule: "*/30 * * * * *",
        timezone: "Europe/Stockholm",
        qlikSenseTaskId: "7552d9fc-d1bb-4975-9a38-18357de531ea",
        startupState: "started",
        tags: ["Sales", "åäö tag"],
        catchUp: false,
      },
    });
    expect(out[1]).toMatchObject({ id: "sched-2", state: "stopped", definition: { timezone: "Europe/Paris", tags: [] } });
    expect(out[1]!.created).toBe("2025-04-01T12:00:00.000Z");
    expect(out[2]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(out[2]!.state).toBe("started");
  });

  test("an entry without an id gets the same id on every import (any Steward, any default time zone), so a re-import skips it", () => {
    const here = parseButlerScheduleFile(FILE, "sched.yaml", "UTC", NOW)[2]!.id;
    const there = parseButlerScheduleFile(FILE, "other.yaml", "Asia/Tokyo", () => NOW() + 86_400_000)[2]!.id;
    expect(here).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(there).toBe(here);
    // Another schedule (cron, name, task or zone changed) is another id.
    for (const [from, to] of [
      ["'0 3 * * *'", "'0 4 * * *'"],
      ["No id given", "No id, renamed"],
      ["America/New_York", "America/Chicago"],
      ["2e4f6a8c-0b1d", "2e4f6a8c-0b1e"],
    ]) {
      expect(parseButlerScheduleFile(FILE.replace(from!, to!), "sched.yaml", "UTC", NOW)[2]!.id).not.toBe(here);
    }
    // The same schedule twice without ids is named, not silently doubled.
    const twice = `${FILE}  - name: No id given\n    cronSchedule: '0 3 * * *'\n    timezone: America/New_York\n    qlikSenseTaskId: 2E4F6A8C-0B1D-4E3F-A5B7-C9D1E3F5A7B9\n`;
    expect(errorOf(twice)).toMatch(/sched\.yaml:23:5 butlerSchedule\[3\]: the same schedule as butlerSchedule\[2\]/);
  });

  test("an empty schedule list imports nothing", () => {
    expect(parseButlerScheduleFile("butlerSchedule: []\n", "f", "UTC", NOW)).toEqual([]);
    expect(parseButlerScheduleFile("butlerSchedule:\n", "f", "UTC", NOW)).toEqual([]);
  });

  test("each problem names file:line:col and the path", () => {
    const bad = FILE.replace("'0-30/5 6-18 * * 1-5'", "'0-30/5 6-25 * * 1-5'")
      .replace("America/New_York", "America/Nowhere")
      .replace("id: sched-2", "id: sched-1");
    const msg = errorOf(bad);
    const lines = msg.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^sched\.yaml:14:19 butlerSchedule\[1\]\.cronSchedule: .*hour/);
    expect(lines[1]).toMatch(/^sched\.yaml:20:15 butlerSchedule\[2\]\.timezone: unknown time zone 'America\/Nowhere'/);
  });

  test("duplicate ids, bad task ids, reserved ids, missing fields, wrong root", () => {
    expect(errorOf(FILE.replace("id: sched-2", "id: sched-1"))).toMatch(/butlerSchedule\[1\]\.id: duplicate id 'sched-1'/);
    expect(errorOf(FILE.replace("3c9e2b71-8d4a-4f60-b2d1-7e5a9c0f1b23", "not-a-guid"))).toMatch(
      /:15:22 butlerSchedule\[1\]\.qlikSenseTaskId: expected a task GUID/,
    );
    expect(errorOf(FILE.replace("id: sched-2", "id: startall"))).toMatch(/butlerSchedule\[1\]\.id: must not be one of/);
    expect(errorOf(FILE.replace("    cronSchedule: '0 3 * * *'\n", ""))).toMatch(/butlerSchedule\[2\]\.cronSchedule: /);
    expect(errorOf("Butler:\n  scheduler: {}\n")).toMatch(/^sched\.yaml:1:1 \(root\): expected a mapping with the key butlerSchedule/);
    expect(errorOf("butlerSchedule: [\n")).toMatch(/^sched\.yaml:\d+:\d+ YAML syntax/);
  });

  test("schedules whose timezone is not this computer's clock are named: Butler fired them in its server's zone", () => {
    const schedules = parseButlerScheduleFile(FILE, "sched.yaml", "Europe/Oslo", NOW);
    // Oslo and Stockholm keep the same clock all year: no note for those.
    const note = butlerTimezoneNote(schedules, "Europe/Oslo", NOW());
    expect(note).toStartWith("Schedules: Butler ignored each schedule's timezone");
    expect(note).toContain("1 schedule will fire at other times than under Butler unless you set the timezone to Europe/Oslo");
    expect(note).toEndWith(": No id given (America/New_York).");
    // A zone with the same winter offset but other DST dates (Africa/Lagos has none) differs.
    expect(butlerTimezoneNote(schedules.slice(0, 1), "Africa/Lagos", NOW())).toContain("Every 30 seconds (Europe/Stockholm)");
    expect(butlerTimezoneNote(schedules.slice(0, 2), "Europe/Stockholm", NOW())).toBeUndefined();
  });
});
