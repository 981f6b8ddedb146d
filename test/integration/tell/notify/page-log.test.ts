// What the noise report reads from the outbox, on both store back ends: one page per route and event whatever the
// number of its deliveries, sent when any of them went out and held when all were held; a digest counts each of its
// events; recoveries, reports and the channels that record every event (InfluxDB …) are not pages.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { notifyMigrations } from "../../../../src/tell/notify/migrations";
import { createOutboxStore, type NewDelivery } from "../../../../src/tell/notify/outbox-store";
import { pagesBetween } from "../../../../src/tell/notify/page-log";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { bothBackends } from "../../../helpers/sql-backends";

const d = (o: Partial<NewDelivery> & Pick<NewDelivery, "eventId" | "channel">): NewDelivery => ({
  key: `${o.eventId}|${o.route ?? "on-call"}|${o.channel}|${o.recipient ?? ""}`,
  eventIds: [o.eventId],
  kind: "task.failed",
  route: "on-call",
  recipient: "",
  target: null,
  status: "pending",
  reason: null,
  groupId: null,
  groupWindowMs: null,
  nextAttemptAt: 1_000,
  expiresAt: 100_000,
  createdAt: 1_000,
  ...o,
});

for (const backend of bothBackends()) {
  describe(`the pages of a window on ${backend.name}`, () => {
    afterAll(() => backend.shutdown());
    beforeAll(() => backend.open([notifyMigrations]), 120_000);

    test("counts each route's alert about an event once, sent or held, and leaves out what is not a page", async () => {
      const db = await backend.open([notifyMigrations]);
      const o = createOutboxStore(db, { instanceId: "a" });
      const failed = syntheticTaskEvent({ outcome: "failed", taskName: "Reload Sales" });
      const other = syntheticTaskEvent({ outcome: "failed", taskName: "HR headcount" });
      await o.saveEvent(failed, 1_000);
      await o.saveEvent(other, 1_000);
      // Two people mailed about one failure (one page), and the same event to InfluxDB on a route of its own (not a page).
      for (const r of ["anna@corp.example", "bob@corp.example"]) await o.insert(d({ eventId: failed.id, channel: "mail", recipient: r }));
      await o.insert(d({ eventId: failed.id, channel: "influx", route: "metrics" }));
      // The other failure held on one route and sent on another.
      await o.insert(d({ eventId: other.id, channel: "mail", route: "night", status: "suppressed", reason: "held: 1st of 2 failures" }));
      await o.insert(d({ eventId: other.id, channel: "teams" }));
      // A digest of both events on a third route; a recovery, a report, and a delivery outside the window.
      await o.insert(d({ key: "digest", eventId: failed.id, eventIds: [failed.id, other.id], channel: "teams", route: "digest" }));
      await o.insert(d({ eventId: "rec", channel: "mail", kind: "task.recovered" }));
      await o.insert(d({ eventId: "rep", channel: "mail", kind: "report.weekly" }));
      await o.insert(d({ eventId: "late", channel: "mail", createdAt: 9_000 }));
      for (const row of await o.claimDue(1_000, 100)) await o.markDelivered(row.id, row.channel === "teams" ? 1_500 : 1_200);

      const pages = await pagesBetween(db, 500, 5_000, 1000, ["influx"]);
      const shown = pages.map((p) => [p.route, p.eventId === failed.id ? "sales" : "hr", p.status, p.at, p.event ? "event" : "-"]).sort();
      expect(shown).toEqual([
        ["digest", "hr", "sent", 1_500, "event"],
        ["digest", "sales", "sent", 1_500, "event"],
        ["night", "hr", "held", 1_000, "event"],
        ["on-call", "hr", "sent", 1_500, "event"],
        ["on-call", "sales", "sent", 1_200, "event"],
      ]);
      // Without the recording channels named, InfluxDB's route would count as a page.
      expect((await pagesBetween(db, 500, 5_000, 1000)).map((p) => p.route)).toContain("metrics");
    });
  });
}
