// What people read of a watchdog event is in the site's zone; what machines read stays ISO-8601.
import { expect, test } from "bun:test";
import { localTimes } from "../../../../src/tell/notify/time-format";
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
  const e = inSiteZone(raw, (ms) => localTimes(new Date(ms).toISOString(), "Europe/Stockholm").local5);
  expect(e.summary).toBe('Reload Sales should have started at Tue, 24 Nov 2026 20:50:18 CET (trigger "Daily") and had not started 5 min later.');
  expect(JSON.stringify(e.facts)).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  expect(e.condition.openedAt).toBe("2026-11-24T19:55:18.000Z");
  expect(e.data).toEqual(raw.data);
});
