// Issue 86, point 4, in the store: a webhook delivery's id is taken once on the whole site, on SQLite and on
// PostgreSQL, also by two Stewards at the same moment (two guards on one database); a delivery outside the age window
// is refused whatever its id; ids are forgotten once the window would refuse their delivery anyway.
import { afterAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { onCallWebhookMigrations } from "../../../../src/tell/on-call/migrations";
import { createReplayGuard, WEBHOOK_MAX_AGE_MS } from "../../../../src/tell/on-call/replay-guard";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

const T0 = Date.parse("2026-11-27T01:00:00Z");

for (const backend of backends)
  describe(backend.name, () => {
    test("an id is taken once, by whichever of two Stewards asks first; a stale or future delivery is refused", async () => {
      const db = await backend.open([onCallWebhookMigrations]);
      const clock = createManualClock(T0);
      const [a, b] = [createReplayGuard(db, clock), createReplayGuard(db, clock)];
      const both = await Promise.all([a.take("pagerduty", "E1", T0 - 1_000), b.take("pagerduty", "E1", T0 - 1_000)]);
      expect(both.filter((v) => v.ok)).toHaveLength(1);
      expect(await a.take("pagerduty", "E1", T0 - 1_000)).toMatchObject({ ok: false, reason: expect.stringContaining("taken already") });
      // Another product's id of the same text is its own.
      expect(await a.take("opsgenie", "E1", undefined)).toEqual({ ok: true });
      expect(await b.take("pagerduty", "E2", T0 - WEBHOOK_MAX_AGE_MS - 1)).toMatchObject({ ok: false, reason: expect.stringContaining("older than") });
      expect(await b.take("pagerduty", "E3", T0 + 5 * 60_000)).toMatchObject({ ok: false, reason: expect.stringContaining("ahead") });
      // Once the window is past, the id is forgotten (and its delivery refused by its age).
      await clock.advance(WEBHOOK_MAX_AGE_MS + 3 * 60_000);
      expect(await a.take("pagerduty", "E4", clock.now())).toEqual({ ok: true });
      const left = await db.all<{ event_id: string }>("SELECT event_id FROM on_call_webhook_events WHERE product = ? ORDER BY event_id", ["pagerduty"]);
      expect(left.map((r) => r.event_id)).toEqual(["E4"]);
      expect(await a.take("pagerduty", "E1", T0 - 1_000)).toMatchObject({ ok: false, reason: expect.stringContaining("older than") });
    }, 60_000);
  });
