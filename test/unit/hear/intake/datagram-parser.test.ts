// Parser against the spec's example datagrams and the known hazards (prefix spellings, `;` in names, (null), UTF-8).
import { describe, expect, test } from "bun:test";
import { parseDatagram } from "../../../../src/hear/intake/datagram-parser";
import type { EngineMessage, SchedulerMessage } from "../../../../src/hear/intake/datagram-types";

const T = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const A = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const E = "e4f1c2a9-3b7d-4c55-8e21-9a0b6c3d2f10";

function sched(text: string | Uint8Array): SchedulerMessage {
  const r = parseDatagram(text);
  if (!r.ok) throw new Error(`rejected: ${r.reason} ${r.detail}`);
  expect(r.message.kind).toBe("scheduler");
  return r.message as SchedulerMessage;
}

describe("parseDatagram", () => {
  test("the spec's failed example", () => {
    const m = sched(
      `/scheduler-task-failed/;SENSE1;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${T};${A};2025-11-03 06:00:41,512;WARN;${E};Task finished with state FinishedFail. Max retries reached.`,
    );
    expect(m).toMatchObject({
      prefix: "scheduler-task-failed",
      outcome: "failed",
      generation: "current",
      host: "SENSE1",
      taskName: "Reload Sales dashboard",
      appName: "Sales dashboard",
      user: "INTERNAL\\sa_scheduler",
      taskId: T,
      appId: A,
      timestamp: "2025-11-03 06:00:41,512",
      level: "WARN",
      executionId: E,
      message: "Task finished with state FinishedFail. Max retries reached.",
      namesAmbiguous: false,
    });
  });

  test("every accepted prefix, case-insensitive, with the shipped double slash", () => {
    const cases: Array<[string, string, string]> = [
      ["/scheduler-task-failed/", "failed", "current"],
      ["/SCHEDULER-RELOAD-FAILED/", "failed", "legacy"],
      ["/scheduler-reloadtask-failed/", "failed", "legacy"],
      ["/Scheduler-Task-Aborted/", "aborted", "current"],
      ["/scheduler-reload-aborted/", "aborted", "legacy"],
      ["/scheduler-task-success//", "succeeded", "current"],
      ["/scheduler-task-success/", "succeeded", "current"],
      ["/scheduler-reloadtask-success/", "succeeded", "legacy"],
      ["/scheduler-distribute/", "distribute", "current"],
    ];
    for (const [prefix, outcome, generation] of cases) {
      const m = sched(`${prefix};h;t;a;D\\u;${T};${A};2025-11-03 06:00:41,512;INFO;${E};msg`);
      expect([m.outcome, m.generation]).toEqual([outcome, generation] as [SchedulerMessage["outcome"], SchedulerMessage["generation"]]);
    }
  });

  test("non-app tasks: empty or (null) app fields", () => {
    expect(
      sched(`/scheduler-distribute/;SENSE2;Distribute HR;;INTERNAL\\sa;${T};;2025-11-04 06:09:12,030;WARN;${E};Exiting execute of Distribute task request.`),
    ).toMatchObject({ appName: "", appId: undefined });
    expect(sched(`/scheduler-task-success//;S;User sync;(null);INTERNAL\\sa;${T};(null);2025;INFO;${E};x`)).toMatchObject({
      appName: "",
      appId: undefined,
      taskName: "User sync",
    });
  });

  test("`;` in the message is kept; `;` in names is realigned on the GUID fields", () => {
    expect(sched(`/scheduler-task-failed/;h;t;a;D\\u;${T};${A};ts;INFO;${E};a;b;;c`).message).toBe("a;b;;c");
    const m = sched(`/scheduler-task-failed/;h;Reload Sales; EU;Sales; EU;D\\u;${T};${A};ts;INFO;${E};m;x`);
    expect([m.taskName, m.appName, m.user, m.message, m.namesAmbiguous]).toEqual(["Reload Sales; EU", "Sales; EU", "D\\u", "m;x", true]);
    const n = sched(`/scheduler-task-failed/;h;Nightly; part 2;Finance;D\\u;${T};${A};ts;INFO;${E};m`);
    expect([n.taskName, n.appName]).toEqual(["Nightly; part 2", "Finance"]);
    const u = sched(`/scheduler-task-success//;h;Sync; CORP;;D\\u;${T};;ts;INFO;${E};m`);
    expect([u.taskName, u.appName, u.namesAmbiguous]).toEqual(["Sync; CORP", "", false]);
  });

  test("UTF-8 names from bytes; control characters stripped; GUIDs lower-cased", () => {
    const bytes = new TextEncoder().encode(
      `/scheduler-reload-failed/;SENSE1;Nightly – Försäljning 日本;Försäljning;INTERNAL\\sa\u0007;${T.toUpperCase()};${A};ts;INFO;${E};Max\r\nretries reached`,
    );
    const m = sched(bytes);
    expect(m.taskName).toBe("Nightly – Försäljning 日本");
    expect(m.user).toBe("INTERNAL\\sa");
    expect(m.taskId).toBe(T);
    expect(m.message).toBe("Maxretries reached");
  });

  test("the 9-field engine message", () => {
    const r = parseDatagram(
      `/engine-reload-failed/;SENSE1;${A};8a1f3c2e-77d0-4b9a-a2c4-5e6f7a8b9c0d;CORP;anna;2025-11-03 09:30:00,100;ERROR;Reload failed; at line 3`,
    );
    expect(r.ok).toBe(true);
    const m = (r as { message: EngineMessage }).message;
    expect(m).toMatchObject({ kind: "engine", appId: A, userDirectory: "CORP", userId: "anna", message: "Reload failed; at line 3" });
    expect(parseDatagram(`/engine-reload-failed/;S;nope;0;D;u;ts;ERROR;m`)).toMatchObject({ ok: false, reason: "bad_engine_app_id" });
  });

  test("the engine message's third field is the session id, kept as sent whatever it holds (issue 66)", () => {
    // Butler's own test datagram (ptarmiganlabs/butler:src/udp/__tests__/udp_handlers.test.js) carries a placeholder
    // app name in field 3, an ISO date in 6 and an id in 7; Butler's code documents the layout as
    // …;%property{AppId};%property{SessionId};%property{ActiveUserDirectory};%property{ActiveUserId};%date;%level;%message
    // and reads only fields 1, 2, 4 and 5. So does Steward: the app is field 2, field 3 is not read as an app name.
    const r = parseDatagram(
      `/engine-reload-failed/;host;550e8400-e29b-41d4-a716-446655440001;appName;userDir;active-user-id;2026-01-01T10:20:30Z;exec123;reload failed`,
    );
    expect(r.ok).toBe(true);
    expect((r as { message: EngineMessage }).message).toMatchObject({
      kind: "engine",
      host: "host",
      appId: "550e8400-e29b-41d4-a716-446655440001",
      sessionId: "appName",
      userDirectory: "userDir",
      userId: "active-user-id",
      timestamp: "2026-01-01T10:20:30Z",
      message: "reload failed",
    });
  });

  test("rejections carry a reason", () => {
    expect(parseDatagram("")).toMatchObject({ ok: false, reason: "empty" });
    expect(parseDatagram("/scheduler-foo/;a;b")).toMatchObject({ ok: false, reason: "unknown_prefix" });
    expect(parseDatagram(`/scheduler-task-failed/;h;t;a;u;${T};${A};ts;INFO;${E}`)).toMatchObject({ ok: false, reason: "too_few_fields" });
    expect(parseDatagram(`/scheduler-task-failed/;h;t;a;u;not-a-guid;${A};ts;INFO;${E};m`)).toMatchObject({ ok: false, reason: "bad_task_id" });
    expect(parseDatagram(`/scheduler-task-failed/;h;t;a;u;${T};xyz;ts;INFO;${E};m`)).toMatchObject({ ok: false, reason: "bad_app_id" });
    // No ExecutionId and no date either: the run would have been found by its task and time, so the time is what failed.
    expect(parseDatagram(`/scheduler-task-failed/;h;t;a;u;${T};${A};ts;INFO;1234;m`)).toMatchObject({ ok: false, reason: "bad_log_date" });
    expect(parseDatagram(`/scheduler-task-failed/;h;t;a;u;${T};${A};ts;9;1234;m`)).toMatchObject({ ok: false, reason: "bad_execution_id" });
  });

  test("fields beyond the cap are cut and flagged", () => {
    const m = parseDatagram(`/scheduler-task-failed/;h;t;a;u;${T};${A};ts;INFO;${E};${"x".repeat(2000)}`, { maxFieldChars: 600 });
    expect(m.ok && (m.message as SchedulerMessage).message.length).toBe(600);
    expect(m.ok && m.message.truncated).toBe(true);
  });
});
