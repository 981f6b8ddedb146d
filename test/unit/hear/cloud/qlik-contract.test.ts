// Steward's Qlik Cloud parsers checked against Qlik's own published types (@qlik/api, made from the OpenAPI documents
// behind qlik.dev's API reference): each declaration below compiles only while every answer Qlik's type allows is one
// the parser's schema takes, so a shape Qlik changes (a field's type, a status word) fails `tsc`, not a tenant at night.
// The simulated tenant's answers are typed by the same types (src/sim/cloud/*-api.ts). The runtime part feeds Qlik's
// documented example values through the parsers.
import { describe, expect, test } from "bun:test";
import type { Reload } from "@qlik/api/reloads";
import type { OrchRun, Schedule, Task } from "@qlik/api/scheduling/tasks";
import type { AutomationListObject, RunListObject } from "@qlik/api/workflows/automations";
import type { z } from "zod";
import { type AutomationSchema, RunSchema } from "../../../../src/hear/cloud/automation-watch";
import { CloudReloadSchema } from "../../../../src/hear/cloud/cloud-client";
import type { CloudTaskRow, CloudTaskRunRow } from "../../../../src/watch/watchdog/cloud-plan";
import type { ScheduleObject } from "../../../../src/watch/watchdog/cloud-schedule-read";

/** `true` when every value of Qlik's type is one the schema's input allows; `never` (a compile error below) when not. */
type Fits<Qlik, Schema extends z.ZodType> = [Qlik] extends [z.input<Schema>] ? true : never;
/**
 * Qlik marks the server-set `id` (and a run's `status`) optional; Steward needs them to know what it watches, and an
 * answer without one is a problem naming the field (tested in cloud-task-read.test.ts), so they are required here.
 */
type Given<T, K extends keyof T> = T & { [P in K]-?: NonNullable<T[P]> };

// Scheduling Tasks (GET /api/scheduling/tasks, /tasks/{id}, /tasks/{id}/runs).
const task: Fits<Given<Task, "id">, typeof CloudTaskRow> = true;
const schedule: Fits<Exclude<Schedule, string>, typeof ScheduleObject> = true;
const taskRun: Fits<OrchRun, typeof CloudTaskRunRow> = true;
// Reloads (GET /api/v1/reloads, /reloads/{id}).
const reload: Fits<Reload, typeof CloudReloadSchema> = true;
// Automations (GET /api/workflows/automations, /automations/{id}/runs).
const automation: Fits<Given<AutomationListObject, "id">, typeof AutomationSchema> = true;
const automationRun: Fits<Given<RunListObject, "id" | "status">, typeof RunSchema> = true;

describe("Steward's Cloud parsers and Qlik's published types", () => {
  test("each parser takes every shape Qlik's type allows (checked by the compiler; listed so none is dropped)", () => {
    expect([task, schedule, taskRun, reload, automation, automationRun]).toEqual(Array(6).fill(true));
  });

  test("Qlik's documented example values go through: the reload status example, every run status word", () => {
    // The Reload type's `status` example ("FAILED") and `type` example ("chronos"), @qlik/api 2.19 reloads.d.ts.
    const r = CloudReloadSchema.safeParse({
      id: "r1",
      appId: "a1",
      status: "FAILED",
      type: "chronos",
      creationTime: "2026-11-20T10:00:00Z",
      tenantId: "t",
      userId: "u",
    });
    expect(r.success).toBe(true);
    const statuses: Array<NonNullable<RunListObject["status"]>> = [
      "failed",
      "finished",
      "finished with warnings",
      "must stop",
      "not started",
      "running",
      "starting",
      "stopped",
      "exceeded limit",
      "queued",
    ];
    for (const status of statuses) expect(RunSchema.safeParse({ id: "x", status, error: [{ message: "m" }] }).success).toBe(true);
  });
});
