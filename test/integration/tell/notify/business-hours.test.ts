// Business hours end to end, on one Steward with SQLite and on two Stewards sharing PostgreSQL: the same failure
// goes to the team's channel by day and to the on-call phone at night (the event's own time decides, whichever
// Steward handles it), once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { TestApp } from "../../../helpers/app";
import { type StoreStewards, startStoreStewards } from "../../../helpers/store-stewards";
import { waitFor } from "../../../helpers/wait-for";
import type { HttpReceiver } from "./receivers";

const HOURS = '{ timeZone: Europe/Stockholm, intervals: [{ weekdays: [mon-fri], times: [{ from: "08:00", to: "17:00" }] }] }';

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`business hours on ${backend}`, () => {
    let site: StoreStewards | undefined;
    let rx: HttpReceiver;
    let apps: TestApp[] = [];

    beforeAll(async () => {
      site = await startStoreStewards(
        backend,
        "hours",
        (url) => `channels:
  team: { type: webhook, url: "${url}/team" }
  phone: { type: webhook, url: "${url}/phone" }
routes:
  - { name: team-by-day, on: [task.failed], to: [team], activeTimes: ${HOURS} }
  - { name: on-call-at-night, on: [task.failed], to: [phone], mutedTimes: ${HOURS} }
`,
      );
      ({ rx, apps } = site);
    });
    afterAll(() => site?.stop());

    test("by day to the team, at night and at the weekend to the phone", async () => {
      const send = async (t: TestApp, name: string, iso: string) => {
        const e = syntheticTaskEvent({ outcome: "failed", taskName: name, nowMs: Date.parse(iso) });
        await t.app.bus.emit(e.kind, e);
      };
      const last = apps[apps.length - 1]!;
      await send(apps[0]!, "Monday noon", "2026-11-23T11:00:00Z");
      await send(last, "Monday night", "2026-11-23T22:30:00Z");
      await send(apps[0]!, "Saturday noon", "2026-11-28T11:00:00Z");
      await waitFor(() => rx.requests.length >= 3, { what: "three alerts" });
      await Bun.sleep(500);
      const got = rx.requests.map((r) => `${r.path} ${(JSON.parse(r.body) as { taskName: string }).taskName}`).sort();
      expect(got).toEqual(["/phone Monday night", "/phone Saturday noon", "/team Monday noon"]);
    });
  });
}
