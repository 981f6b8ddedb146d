// Two Stewards of a site read a silence alike although their clocks differ by a few milliseconds (each corrects its
// clock by the offset to the database it measures at every heartbeat, to within half a round trip): one created "now"
// through the Steward whose clock is ahead is active, not pending, on the other at once (a snooze from a mail's page,
// then the dashboard on another node), and holds that one's alerts; one ended there reads ended here.
import { afterAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { STORE_MIGRATIONS } from "../../../../src/store-migrations";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { coveringSilence } from "../../../../src/tell/silences/gate";
import { createSilenceReleaser } from "../../../../src/tell/silences/release";
import { silenceView } from "../../../../src/tell/silences/routes";
import { createSilenceService, SilenceInputSchema } from "../../../../src/tell/silences/service";
import { createSilenceStore } from "../../../../src/tell/silences/silence-store";
import { bothBackends } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-28T05:00:00Z");

for (const backend of bothBackends()) {
  describe(`silences read across Stewards' clocks on ${backend.name}`, () => {
    afterAll(() => backend.shutdown());

    /** One store; `ahead`: the Steward whose clock reads `aheadMs` later than `behind`'s. */
    async function twoStewards(aheadMs: number) {
      const store = createSilenceStore(await backend.open([...STORE_MIGRATIONS]));
      const node = (at: number) => {
        const clock = createManualClock(at);
        const releaser = createSilenceReleaser({ store, clock, log: createSilentLogger(), maxAgeMs: 86_400_000, keepMs: 86_400_000, wake: () => {} });
        return { clock, service: createSilenceService(store, releaser, clock, () => "UTC") };
      };
      return { store, ahead: node(T0 + aheadMs), behind: node(T0) };
    }
    const input = (x: Record<string, unknown>) =>
      SilenceInputSchema.parse({ matcher: { taskNames: ["Sales*"] }, reason: "snoozed from the alert's link", ...x });
    const failed = syntheticTaskEvent({ outcome: "failed", taskName: "Sales - load", nowMs: T0 });

    for (const aheadMs of [1, 1_500]) {
      test(`a silence from now, made where the clock is ${aheadMs} ms ahead, is active on the other Steward at once and holds its alerts`, async () => {
        const { store, ahead, behind } = await twoStewards(aheadMs);
        const s = await ahead.service.create(input({ duration: "1h" }), "anna@corp.example");
        const now = behind.clock.now();
        expect((await behind.service.list({ state: "active", limit: 10 })).map((x) => x.id)).toEqual([s.id]);
        expect(await behind.service.list({ state: "pending", limit: 10 })).toEqual([]);
        expect(silenceView((await behind.service.get(s.id))!, now).state).toBe("active");
        expect((await coveringSilence(store, failed, now))?.id).toBe(s.id);
      });
    }

    test("a silence set to begin later is pending on both Stewards until then, and holds nothing before", async () => {
      const { store, ahead, behind } = await twoStewards(1);
      const s = await ahead.service.create(input({ startsAt: new Date(T0 + 600_000).toISOString(), duration: "1h" }), "anna@corp.example");
      for (const n of [ahead, behind]) {
        expect((await n.service.list({ state: "pending", limit: 10 })).map((x) => x.id)).toEqual([s.id]);
        expect(await n.service.list({ state: "active", limit: 10 })).toEqual([]);
        expect(silenceView(s, n.clock.now()).state).toBe("pending");
      }
      expect(await coveringSilence(store, failed, behind.clock.now())).toBeUndefined();
      await behind.clock.set(T0 + 600_000);
      expect(silenceView(s, behind.clock.now()).state).toBe("active");
      expect((await coveringSilence(store, failed, behind.clock.now()))?.id).toBe(s.id);
    });

    test("a silence ended where the clock is ahead reads ended on the other Steward, in the list and in its own state", async () => {
      const { store, ahead, behind } = await twoStewards(5);
      const s = await ahead.service.create(input({ duration: "1h" }), "anna@corp.example");
      await ahead.clock.advance(60_000);
      await behind.clock.advance(60_000);
      expect(await ahead.service.end(s.id, "anna@corp.example")).toMatchObject({ id: s.id });
      const now = behind.clock.now();
      expect((await behind.service.list({ state: "ended", limit: 10 })).map((x) => x.id)).toEqual([s.id]);
      expect(await behind.service.list({ state: "active", limit: 10 })).toEqual([]);
      expect(silenceView((await behind.service.get(s.id))!, now).state).toBe("ended");
      expect(await coveringSilence(store, failed, now)).toBeUndefined();
    });
  });
}
