// Body parsing for task starts (both forms), the additive start allowlist, and the REST answer's two vocabularies.
import { describe, expect, test } from "bun:test";
import { assertTaskIdsWellFormed, parseStartRequest, StartBodySchema } from "../../../../src/start/control/start-request";
import { createStartFilter } from "../../../../src/start/control/start-filter";
import { toStartResponse } from "../../../../src/start/control/start-response";
import { parseTimeout } from "../../../../src/start/control/start-handler";
import { AppError } from "../../../../src/platform/core/errors";

const A = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const B = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";

describe("parseStartRequest", () => {
  test("seed 000 object form, with the path id added", () => {
    const body = StartBodySchema.parse({ taskId: [B], tag: ["urgent"], customProperty: [{ name: "department", value: "finance" }] });
    expect(parseStartRequest(A, body)).toEqual({
      selector: { taskIds: [A, B], tags: ["urgent"], customProperties: [{ name: "department", value: "finance" }] },
      kvWrites: [],
      kvSkipped: [],
      objectFormIds: [B],
    });
  });

  test("'-' in the path means body only; single values are accepted as one-element lists", () => {
    const body = StartBodySchema.parse({ tag: "daily" });
    expect(parseStartRequest("-", body).selector).toEqual({ taskIds: [], tags: ["daily"], customProperties: [] });
  });

  test("Butler's array form, key-value items collected (objects stored as JSON text, ttl in ms)", () => {
    const body = StartBodySchema.parse([
      { type: "starttaskid", payload: { taskId: A } },
      { type: "starttasktag", payload: { tag: "startTask1" } },
      { type: "starttaskcustomproperty", payload: { customPropertyName: "taskGroup", customPropertyValue: "tg1" } },
      { type: "keyvaluestore", payload: { namespace: "ns", key: "k1", value: "v1", ttl: 5000 } },
      { type: "keyvaluestore", payload: { namespace: "ns", key: "k2", value: { a: 1 } } },
    ]);
    const r = parseStartRequest("-", body);
    expect(r.selector).toEqual({ taskIds: [A], tags: ["startTask1"], customProperties: [{ name: "taskGroup", value: "tg1" }] });
    expect(r.kvWrites).toEqual([
      { namespace: "ns", key: "k1", value: "v1", ttlMs: 5000 },
      { namespace: "ns", key: "k2", value: '{"a":1}' },
    ]);
  });

  test('what Butler\'s subs send: a placeholder path id, TTLs as text or "", numbers as text; a bad key-value item is skipped, not fatal', () => {
    const body = StartBodySchema.parse([
      { type: "starttasktag", payload: { tag: "daily" } },
      { type: "starttaskcustomproperty", payload: { customPropertyName: "priority", customPropertyValue: 1 } },
      { type: "keyvaluestore", payload: { namespace: "ns", key: "a", value: "1", ttl: "60000" } },
      { type: "keyvaluestore", payload: { namespace: "ns", key: "b", value: 2, ttl: "" } },
      { type: "keyvaluestore", payload: { namespace: "ns", key: "c", value: "3", ttl: "soon" } },
      { type: "keyvaluestore", payload: { namespace: "ns", key: "d" } },
      { type: "keyvaluestore", payload: { key: "e", value: "5" } },
    ]);
    const r = parseStartRequest("none", body);
    // The placeholder goes to the starter, which lists a non-GUID as invalid and starts the rest.
    expect(r.selector).toEqual({ taskIds: ["none"], tags: ["daily"], customProperties: [{ name: "priority", value: "1" }] });
    expect(r.objectFormIds).toEqual([]);
    expect(r.kvWrites).toEqual([
      { namespace: "ns", key: "a", value: "1", ttlMs: 60000 },
      { namespace: "ns", key: "b", value: "2" },
    ]);
    expect(r.kvSkipped).toEqual([
      { namespace: "ns", key: "c", reason: 'ttl: expected milliseconds (a number), got "soon"' },
      { namespace: "ns", key: "d", reason: "value: missing" },
      { key: "e", reason: "namespace: missing or empty" },
    ]);
  });

  test("an object value nested too deeply to write as text is skipped with its reason, not an internal error", () => {
    // 100,000 levels parse (JSON.parse is not recursive) but JSON.stringify overflows the stack writing them back.
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`) as unknown;
    const body = StartBodySchema.parse([
      { type: "keyvaluestore", payload: { namespace: "ns", key: "deep", value: deep } },
      { type: "keyvaluestore", payload: { namespace: "ns", key: "flat", value: { a: [1] } } },
    ]);
    const r = parseStartRequest("-", body);
    expect(r.kvWrites).toEqual([{ namespace: "ns", key: "flat", value: '{"a":[1]}' }]);
    expect(r.kvSkipped).toEqual([{ namespace: "ns", key: "deep", reason: "value: nested too deeply to store as text" }]);
  });

  test("unknown item types and unknown object keys are rejected", () => {
    expect(StartBodySchema.safeParse([{ type: "startapp", payload: {} }]).success).toBe(false);
    expect(StartBodySchema.safeParse({ taskIds: [A] }).success).toBe(false);
  });

  test("a malformed id is 'Invalid task ID format' with details", () => {
    try {
      assertTaskIdsWellFormed([A, "not-a-guid"]);
      throw new Error("expected a throw");
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toBe("Invalid task ID format");
      expect((err as AppError).status).toBe(400);
      expect(String((err as AppError).details)).toContain("Task ID must be a valid GUID");
      expect(String((err as AppError).details)).toContain('"not-a-guid"');
    }
    expect(() => assertTaskIdsWellFormed([A, A.toUpperCase()])).not.toThrow();
  });
});

describe("start allowlist", () => {
  const filter = createStartFilter({ enabled: true, taskIds: [A.toUpperCase()], tags: ["allowed"], customProperties: [{ name: "group", value: "ok" }] });

  test("additive: an id, a tag or a custom property value is enough, however the task was requested", () => {
    expect(filter.check({ id: A, tags: [], customProperties: [] }).allowed).toBe(true);
    expect(filter.check({ id: B, tags: ["x", "allowed"], customProperties: [] }).allowed).toBe(true);
    expect(filter.check({ id: B, tags: [], customProperties: [{ name: "group", value: "ok" }] }).allowed).toBe(true);
  });

  test("tags and custom properties compare case-insensitively, as QRS filters and routes do", () => {
    expect(filter.check({ id: B, tags: ["ALLOWED"], customProperties: [] })).toMatchObject({ allowed: true, because: "tag ALLOWED is on the allowlist" });
    expect(filter.check({ id: B, tags: [], customProperties: [{ name: "Group", value: "OK" }] }).allowed).toBe(true);
  });

  test("denied when nothing matches", () => {
    expect(
      filter.check({
        id: B,
        tags: ["allowed-not"],
        customProperties: [
          { name: "group", value: "ok2" },
          { name: "grp", value: "ok" },
        ],
      }),
    ).toMatchObject({ allowed: false });
  });

  test("disabled allows everything", () => {
    expect(createStartFilter({ enabled: false, taskIds: [], tags: [], customProperties: [] }).check({ id: B, tags: [], customProperties: [] }).allowed).toBe(
      true,
    );
  });
});

describe("start response", () => {
  test("seed 000 fields and Butler fields from one report", () => {
    const r = toStartResponse({
      started: [
        { taskId: A, taskName: "Task A", status: "started", via: ["id", "tag:t1"] },
        { taskId: B, taskName: "Task B", status: "failed", error: "QRS said no", via: ["cp:group=g1"] },
      ],
      notFound: ["11111111-2222-4333-8444-555555555555"],
      invalid: [],
      denied: [{ taskId: "22222222-2222-4333-8444-555555555555", taskName: "Task C", reason: "not on the start allowlist", via: ["tag:t1"] }],
      byTag: [],
      byCustomProperty: [],
    });
    expect(r.totalTasksStarted).toBe(1);
    expect(r.tasksStarted).toEqual([
      { taskId: A, taskName: "Task A", status: "started", via: ["id", "tag:t1"] },
      { taskId: B, taskName: "Task B", status: "failed", error: "QRS said no", via: ["cp:group=g1"] },
    ]);
    expect(r.tasksNotFound).toEqual(["11111111-2222-4333-8444-555555555555"]);
    expect(r.tasksId).toEqual({ started: [{ taskId: A, taskName: "Task A" }], invalid: [{ taskId: "11111111-2222-4333-8444-555555555555" }], denied: [] });
    expect(r.tasksTag).toEqual([{ taskId: A, taskName: "Task A", tag: "t1" }]);
    expect(r.tasksTagDenied).toEqual([{ taskId: "22222222-2222-4333-8444-555555555555", taskName: "Task C", tag: "t1" }]);
    expect(r.tasksCP).toEqual([]);
    expect(r.tasksCPDenied).toEqual([]);
  });
});

test("timeouts: milliseconds or with a unit", () => {
  expect(parseTimeout("1500")).toBe(1500);
  expect(parseTimeout("90s")).toBe(90_000);
  expect(parseTimeout("5m")).toBe(300_000);
  expect(parseTimeout("1h")).toBe(3_600_000);
  expect(parseTimeout("soon")).toBeUndefined();
});
