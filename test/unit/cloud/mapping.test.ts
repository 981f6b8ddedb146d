// Qlik Cloud reloads as Steward's task events: each final status onto its outcome, in-progress ones left for later,
// a page checked item by item (odd items rejected with a reason), and the event's fields from reload, app and log.
import { describe, expect, test } from "bun:test";
import { cloudTaskEvent, cloudTaskId, FINAL_STATUSES, IN_PROGRESS_STATUSES, readReloadPage } from "../../../src/cloud";
import { parseRetryAfter } from "../../../src/cloud/cloud-http";
import { nextCursor } from "../../../src/cloud/reloads";

const reload = (over: Record<string, unknown> = {}) => ({
  id: "65a1b2c3d4e5f6a7b8c9d0e1",
  appId: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11",
  tenantId: "T1",
  userId: "u1",
  type: "chronos",
  status: "FAILED",
  partial: false,
  creationTime: "2026-11-23T08:00:00.000Z",
  startTime: "2026-11-23T08:00:01.000Z",
  endTime: "2026-11-23T08:00:31.500Z",
  errorCode: "EngineReloadError",
  errorMessage: "Field 'Amount' not found",
  ...over,
});

const LOG = [
  "Execution started.",
  "0001  LOAD Amount FROM [lib://DataFiles/orders.qvd];",
  "      Error: Field 'Amount' not found",
  "Execution Failed",
  "Execution finished.",
].join("\r\n");

const event = (over: Record<string, unknown> = {}, extra: Partial<Parameters<typeof cloudTaskEvent>[0]> = {}) =>
  cloudTaskEvent({
    tenant: { name: "acme", url: "https://acme.eu.qlikcloud.com" },
    reload: readReloadPage({ data: [reload(over)] }).reloads[0]!,
    app: {
      id: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11",
      name: "Sales",
      spaceId: "s1",
      spaceName: "Finance",
      ownerId: "o1",
      ownerName: "Anna",
      ownerEmail: "anna@corp.example",
    },
    limits: { head: 20, tail: 40, maxTextBytes: 1024 },
    missing: [],
    receivedAt: "2026-11-23T08:01:00.000Z",
    ...extra,
  });

describe("Qlik Cloud status mapping", () => {
  test("final statuses map onto outcomes; in-progress ones are not final", () => {
    expect(FINAL_STATUSES).toEqual({ SUCCEEDED: "succeeded", FAILED: "failed", EXCEEDED_LIMIT: "failed", CANCELED: "aborted" });
    expect([...IN_PROGRESS_STATUSES].sort()).toEqual(["CANCELING", "QUEUED", "RELOADING"]);
    expect(event({ status: "SUCCEEDED", errorMessage: undefined, errorCode: undefined }).kind).toBe("task.succeeded");
    expect(event({ status: "CANCELED" })).toMatchObject({ kind: "task.aborted", outcome: "aborted", execution: { statusCode: 6, status: "CANCELED" } });
    expect(event({ status: "EXCEEDED_LIMIT" })).toMatchObject({ kind: "task.failed", execution: { statusCode: 8 } });
    expect(() => event({ status: "RELOADING" })).toThrow("not final");
  });

  test("a failed reload's event: source cloud, tenant, app, space, owner, times, the log's failure line", () => {
    const e = event({}, { log: { text: LOG, cut: false }, userName: "Bob" });
    expect(e).toMatchObject({
      id: "cloud:acme:65a1b2c3d4e5f6a7b8c9d0e1:failed",
      kind: "task.failed",
      source: "cloud",
      taskType: "reload",
      host: "acme.eu.qlikcloud.com",
      executionId: "65a1b2c3d4e5f6a7b8c9d0e1",
      user: "Bob",
      logMessage: "Field 'Amount' not found",
      task: { id: cloudTaskId("acme", "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11"), name: "Sales (Qlik Cloud acme)", isManuallyTriggered: false },
      app: { name: "Sales", stream: "Finance", published: true, owner: { name: "Anna", emails: ["anna@corp.example"] } },
      execution: { statusCode: 8, status: "FAILED", durationMs: 30_500, startTime: "2026-11-23T08:00:01.000Z", stopTime: "2026-11-23T08:00:31.500Z" },
      cloud: { tenant: "acme", reloadId: "65a1b2c3d4e5f6a7b8c9d0e1", status: "FAILED", type: "chronos", errorCode: "EngineReloadError", spaceId: "s1" },
      links: { hubApp: "https://acme.eu.qlikcloud.com/sense/app/0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11" },
      complete: true,
    });
    expect(e.scriptLog?.failureLines).toEqual([3, 4]); // "Error: …" and "Execution Failed"
    expect(e.scriptLog?.totalLines).toBe(5);
    expect(event({ type: "hub" }).task.isManuallyTriggered).toBe(true);
  });

  test("without app names the ids stand in and the event says what is missing", () => {
    const e = event({}, { app: undefined, missing: [{ item: "app", reason: "HTTP 404" }] });
    expect(e.app).toMatchObject({ id: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11", name: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11", published: false });
    expect(e.complete).toBe(false);
  });

  test("a page is read item by item: odd shapes and unknown statuses are rejected with a reason", () => {
    const page = readReloadPage({
      data: [reload(), { id: 5 }, reload({ id: "x2", status: "PAUSED" }), reload({ id: "x3", status: "QUEUED" })],
      links: { self: { href: "h" }, next: { href: "https://acme.eu.qlikcloud.com/api/v1/reloads?limit=100&next=abc%3D" } },
    });
    expect(page.reloads.map((r) => r.id)).toEqual(["65a1b2c3d4e5f6a7b8c9d0e1", "x3"]);
    expect(page.rejected.map((r) => r.reason)).toEqual(["shape", "unknown_status"]);
    expect(page.rejected[1]!.creationTime).toBe("2026-11-23T08:00:00.000Z");
    expect(nextCursor(page.next!)).toBe("abc=");
    expect(() => readReloadPage({ reloads: [] })).toThrow("not a page of reloads");
    expect(() => readReloadPage("<html>")).toThrow("not a page of reloads");
  });

  test("Retry-After in seconds or as a date, bounded", () => {
    expect(parseRetryAfter("7", 0)).toBe(7_000);
    expect(parseRetryAfter(new Date(60_000).toUTCString(), 30_000)).toBe(30_000);
    expect(parseRetryAfter("999999", 0)).toBe(15 * 60_000);
    expect(parseRetryAfter(undefined, 0)).toBe(60_000);
    expect(parseRetryAfter("soon", 0)).toBe(60_000);
  });
});
