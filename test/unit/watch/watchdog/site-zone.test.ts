// What people read of a watchdog event is in the site's zone; what machines read stays ISO-8601.
import { expect, test } from "bun:test";
import { messageTime } from "../../../../src/platform/core/time-text";
import { inSiteZone } from "../../../../src/watch/watchdog/site-zone";
import { watchdogEvent } from "../../../../src/watch/watchdog/watchdog-event";

test("a missed start's sentence says the site's time; its data and condition keep ISO", () => {
  const expected = Date.parse("2026-11-24T19:50:18.000Z");
  const raw = watchdogEvent({
    kind: "task.missed",
    condition: { type: "missed", key: "missed:t1:1", openedAtMs: expected + 300_000 },
    nowMs: expected + 300_000,
    host: "sense1",
    task: { id: "t1", name: "Reload Sales", tags: [], customProperties: [] },
    details: { expectedAtMs: expected, trigger: "Daily", graceMs: 300_000 },
  });
  expect(raw.summary).toContain("2026-11-24T19:50:18.000Z");
  const e = inSiteZone(raw, (ms) => messageTime(ms, "Europe/Stockholm"));
  expect(e.summary).toBe('Reload Sales should have started at 2026-11-24 20:50 CET (trigger "Daily") and had not started 5 min later.');
  expect(JSON.stringify(e.facts)).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  expect(e.condition.openedAt).toBe("2026-11-24T19:55:18.000Z");
  expect(e.data).toEqual(raw.data);
});
