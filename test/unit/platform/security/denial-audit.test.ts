// Denials aggregated before the audit log: a caller's first denial in a window is written at once, its repeats as
// one entry with their count when the window ends, and a Steward nobody is refusing keeps no timer for it.
import { afterAll, expect, test } from "bun:test";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createSteppedClock } from "../../../../src/platform/core/stepped-clock";
import { createDenialAudit } from "../../../../src/platform/security/denial-audit";
import { sqliteBackend } from "../../../helpers/sql-backends";

const backend = sqliteBackend();
afterAll(() => backend.shutdown());
const T0 = Date.parse("2026-11-24T09:00:00Z");
const MIN = 60_000;

test("repeats are written as one entry with their count when the window ends; idle, no timer is kept", async () => {
  const clock = createSteppedClock(T0);
  const audit = createAuditLog(await backend.open([auditMigrations]), clock);
  const denials = createDenialAudit(audit, clock, { windowMs: MIN });
  const component = denials.component();
  await component.start?.();
  expect(clock.pendingTimers()).toBe(0);
  await clock.runUntil(T0 + 30 * MIN);

  const denied = {
    actor: { kind: "anonymous", name: "anonymous", ip: "10.0.0.9" },
    action: "access.denied",
    target: "/v4/keyvalues",
    result: "denied" as const,
  };
  for (let i = 0; i < 3; i++) {
    denials.record({ ...denied, details: { route: "POST /v4/keyvalues/:namespace" } }, "apiKey", 401);
    await clock.runUntil(clock.now() + 5_000);
  }
  const atOnce = await audit.query({ limit: 10 });
  expect(atOnce.map((e) => e.details?.repeated ?? 0)).toEqual([0]);
  expect(clock.pendingTimers()).toBe(1);

  await clock.runUntil(T0 + 32 * MIN);
  const after = await audit.query({ limit: 10 });
  expect(after.map((e) => e.details?.repeated ?? 0)).toEqual([2, 0]);
  expect(after[0]!.details).toMatchObject({
    firstRepeatAt: new Date(T0 + 30 * MIN + 5_000).toISOString(),
    lastRepeatAt: new Date(T0 + 30 * MIN + 10_000).toISOString(),
  });
  // The window written, nothing is armed until someone is refused again.
  expect(clock.pendingTimers()).toBe(0);
  await component.stop?.(1_000);
});
