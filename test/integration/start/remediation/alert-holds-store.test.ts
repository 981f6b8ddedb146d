// What holds a cause's or incident's on-call alert open (alert-holds.ts), on both stores: an action pending, claimed or
// running holds it at most remediation.engineWait past its last step (a Steward killed mid-way, its run's end never
// heard, must not keep the alert open for ever); an ended action holds it on a channel until a message carrying its
// outcome was built for that channel (within the 15-minute telling window), and while such a message still waits in
// the outbox for that channel (the product down), whatever its age; the message asking counts as telling it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { createAlertHolds } from "../../../../src/start/remediation/alert-holds";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { groupingMigrations } from "../../../../src/tell/grouping/migrations";
import { notifyMigrations } from "../../../../src/tell/notify/migrations";
import { bothBackends } from "../../../helpers/sql-backends";

const MIN = 60_000;
const T0 = Date.parse("2026-03-03T02:32:00Z");
const WAIT = 60 * MIN;
const CAUSE = "steward-cause-4";

for (const backend of bothBackends()) {
  describe(`what holds an on-call alert open (${backend.name})`, () => {
    afterAll(() => backend.shutdown());
    beforeAll(() => backend.open([groupingMigrations, notifyMigrations, remediationMigrations]), 120_000);

    const setUp = async () => {
      const db = await backend.open([groupingMigrations, notifyMigrations, remediationMigrations]);
      const store = createActionStore(db);
      const held = createAlertHolds({ db, engineWaitMs: WAIT });
      const rerun = async (task: string) =>
        (
          await store.add({
            incidentId: 2,
            taskId: task,
            taskName: task,
            kind: "rerun",
            causeId: 4,
            requestedBy: "anna@corp.example",
            requestedFrom: "link",
            requestedAt: T0,
            dueAt: T0,
          })
        ).action.id;
      return { db, store, held, rerun };
    };

    test("a re-run still to run holds its cause's alert up to engineWait past its last step, on every channel; another cause's alert is free", async () => {
      const { db, held, rerun } = await setUp();
      const id = await rerun("extract-orders");
      expect(await held(CAUSE, "pd", T0 + MIN)).toContain(`re-run of "extract-orders" (action ${id}) is pending`);
      expect(await held("steward-cause-5", "pd", T0 + MIN)).toBeUndefined();
      expect(await held("not-steward's", "pd", T0 + MIN)).toBeUndefined();
      // Its wait for a free engine began at 02:40: held until 03:40, then the alert is free (its Steward killed).
      await db.run("UPDATE remediation_actions SET waiting_since = ? WHERE id = ?", [T0 + 8 * MIN, id]);
      expect(await held(CAUSE, "og", T0 + 60 * MIN)).toContain("waits for a free engine");
      expect(await held(CAUSE, "og", T0 + 68 * MIN)).toBeUndefined();
      // Claimed and started at 03:07, its run's end never heard: held until 04:07.
      await db.run("UPDATE remediation_actions SET status = 'started', claimed_at = ?, started_at = ? WHERE id = ?", [T0 + 35 * MIN, T0 + 35 * MIN, id]);
      expect(await held(CAUSE, "pd", T0 + 94 * MIN)).toContain("is running");
      expect(await held(CAUSE, "pd", T0 + 95 * MIN)).toBeUndefined();
    });

    test("an ended re-run holds the alert on a channel until its outcome was built there and no message carrying it waits to go", async () => {
      const { db, store, held, rerun } = await setUp();
      const id = await rerun("load-stock");
      const ended = T0 + 45 * MIN;
      await db.run("UPDATE remediation_actions SET status = 'ended', outcome = 'succeeded', ended_at = ?, told_event_id = 'run-1:recovered' WHERE id = ?", [
        ended,
        id,
      ]);
      // Told by mail, not yet to PagerDuty: held there for the telling window, not on the mail channel.
      await store.toldTo([id], { channel: "mail", recipient: "anna@corp.example" }, "run-1:recovered", ended);
      expect(await held(CAUSE, "pd", ended + MIN)).toContain("outcome of Steward's re-run");
      expect(await held(CAUSE, "mail", ended + MIN)).toBeUndefined();
      expect(await held(CAUSE, "pd", ended + 16 * MIN)).toBeUndefined();
      // The message asking is the one carrying it to PagerDuty: it tells it, so it may resolve.
      await store.toldTo([id], { channel: "pd", recipient: "" }, "run-1:recovered", ended + MIN);
      expect(await held(CAUSE, "pd", ended + MIN, "run-1:recovered")).toBeUndefined();
      // That message still waits in the outbox for PagerDuty (down): the close asking is held, whatever the outcome's age.
      await db.run(
        `INSERT INTO notify_deliveries (key, event_id, event_ids, kind, route, channel, recipient, status, attempts, next_attempt_at, expires_at, created_at, updated_at)
         VALUES ('note|pd', 'run-1:recovered', '["run-1:recovered"]', 'alert.note', 'r', 'pd', '', 'pending', 3, ?, ?, ?, ?)`,
        [ended, ended + 24 * 60 * MIN, ended, ended],
      );
      expect(await held(CAUSE, "pd", ended + 50 * MIN, "queue:closed")).toContain("outcome of Steward's re-run");
      expect(await held(CAUSE, "og", ended + 50 * MIN, "queue:closed")).toBeUndefined();
      await db.run("UPDATE notify_deliveries SET status = 'delivered' WHERE key = 'note|pd'");
      expect(await held(CAUSE, "pd", ended + 50 * MIN, "queue:closed")).toBeUndefined();
    });
  });
}
