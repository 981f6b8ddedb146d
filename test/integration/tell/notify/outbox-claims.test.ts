// The outbox on both store back ends, with several Stewards on one store: a delivery written twice (two
// routes, two Stewards handling the same event) exists once; Stewards polling at the same moment each claim
// different deliveries, every one exactly once; what a killed Steward was sending is sent again by another,
// while a live Steward's sends are left alone.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { notifyMigrations } from "../../../../src/tell/notify/migrations";
import { createOutboxStore, SENDING_LEASE_MS, type NewDelivery } from "../../../../src/tell/notify/outbox-store";
import { bothBackends } from "../../../helpers/sql-backends";
import { pendingDelivery } from "../../../helpers/pending-delivery";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { enqueuePlan } from "../../../../src/tell/notify/enqueue";
import type { PlannedDelivery } from "../../../../src/tell/notify/planner";

const delivery = (i: number, now: number): NewDelivery => pendingDelivery(`ev${i}`, now, { channel: "mail", recipient: "ops@corp.example" });

for (const backend of bothBackends()) {
  describe(`outbox claims on ${backend.name}`, () => {
    afterAll(() => backend.shutdown());
    // PostgreSQL starts with the first store opened: not within a test's time.
    beforeAll(() => backend.open([notifyMigrations]), 120_000);

    test("the same delivery written by two Stewards exists once", async () => {
      const db = await backend.open([notifyMigrations]);
      const a = createOutboxStore(db, { instanceId: "a" });
      const b = createOutboxStore(db, { instanceId: "b" });
      const ids = await Promise.all([a, b, a, b].map((o) => o.transaction((tx) => tx.insert(delivery(1, 1_000)))));
      expect(ids.filter((id) => id !== undefined).length).toBe(1);
      expect((await a.list({ limit: 10 })).length).toBe(1);
    });

    test("a delivery sent in the plain form keeps why; the doctor's query groups them by channel and reason", async () => {
      const db = await backend.open([notifyMigrations]);
      const o = createOutboxStore(db, { instanceId: "a" });
      for (const i of [1, 2, 3, 4]) await o.insert(delivery(i, 1_000));
      const [r1, r2, r3, r4] = await o.claimDue(1_000, 4);
      const why = "sent in the plain form: template email/task.failed.html failed (line 1: x)";
      await o.markDelivered(r1!.id, 2_000, why);
      await o.markDelivered(r2!.id, 5_000, why);
      await o.markDelivered(r3!.id, 3_000);
      await o.markDelivered(r4!.id, 500, why); // before the look-back
      expect((await o.get(r1!.id))!.reason).toBe(why);
      expect((await o.get(r3!.id))!.reason).toBeNull();
      expect(await o.recentFallbacks(1_000)).toEqual([{ channel: "mail", reason: why, count: 2, lastAt: 5_000 }]);
    });

    test("a Steward that names its channels claims only their deliveries, and its look for due work counts only those", async () => {
      const db = await backend.open([notifyMigrations]);
      const withMail = createOutboxStore(db, { instanceId: "with-mail" });
      const withoutMail = createOutboxStore(db, { instanceId: "without-mail" });
      const id = await withMail.insert({ ...delivery(1, 1_000), key: "channels|mail" });
      const teams = await withMail.insert({ ...delivery(2, 2_000), key: "channels|teams", channel: "teams" });
      expect(await withoutMail.nextDueAt(["teams"])).toBe(2_000);
      expect(await withoutMail.nextDueAt([])).toBeUndefined();
      expect(await withoutMail.claimDue(5_000, 10, [])).toEqual([]);
      expect((await withoutMail.claimDue(5_000, 10, ["teams"])).map((r) => r.id)).toEqual([teams!]);
      expect(await withoutMail.nextDueAt(["teams"])).toBeUndefined();
      expect(await withMail.nextDueAt(["mail", "webhook"])).toBe(1_000);
      expect((await withMail.claimDue(5_000, 10, ["mail", "webhook"])).map((r) => r.id)).toEqual([id!]);
    });

    test("three Stewards polling at once claim every due delivery exactly once", async () => {
      const db = await backend.open([notifyMigrations]);
      const now = 10_000;
      const stewards = ["a", "b", "c"].map((instanceId) => createOutboxStore(db, { instanceId }));
      for (let i = 0; i < 60; i++) await stewards[0]!.insert(delivery(i, now));
      const claimedBy = new Map<number, string[]>();
      await Promise.all(
        stewards.map(async (o, n) => {
          for (;;) {
            const rows = await o.claimDue(now, 4);
            if (rows.length === 0 && (await o.backlog()).pending === (await o.list({ status: ["sending"], limit: 100 })).length) break;
            for (const r of rows) claimedBy.set(r.id, [...(claimedBy.get(r.id) ?? []), "abc"[n]!]);
          }
        }),
      );
      expect(claimedBy.size).toBe(60);
      expect([...claimedBy.values()].every((who) => who.length === 1)).toBe(true);
      expect((await stewards[0]!.list({ status: ["sending"], limit: 100 })).length).toBe(60);
    });

    test("sends of a dead Steward (not among the live) are reset at once; a live one's and this one's own only after the sending lease", async () => {
      const db = await backend.open([notifyMigrations]);
      const now = 20_000;
      const dead = createOutboxStore(db, { instanceId: "dead" });
      const live = createOutboxStore(db, { instanceId: "live" });
      const me = createOutboxStore(db, { instanceId: "me" });
      for (const i of [1, 2, 3]) await me.insert(delivery(i, now));
      expect((await dead.claimDue(now, 1)).length).toBe(1);
      expect((await live.claimDue(now, 1)).length).toBe(1);
      expect((await me.claimDue(now, 1)).length).toBe(1); // this Steward's own send, in flight
      // The live Steward's send and this one's stay theirs; the dead one's goes again a millisecond after its claim:
      // its lease has ended, so its claims have (issue 75, F2: they waited for the channel timeout).
      expect(await me.resetSending(now + 1, ["live", "me"])).toBe(1);
      const pending = await me.list({ status: ["pending"], limit: 10 });
      expect(pending.map((r) => r.eventId)).toEqual(["ev1"]);
      expect(await me.resetSending(now + 2, ["live", "me"])).toBe(0);
      // A live list that misses this one: this Steward's own sends in flight are never reset.
      expect(await me.resetSending(now + 3, ["live"])).toBe(0);
      // Sending for longer than the lease: taken to be stuck, whoever holds it.
      expect(await me.resetSending(now + SENDING_LEASE_MS + 10, ["live", "me"])).toBe(2);
    });

    test("a Steward whose send another took over (taken for dead) cannot queue it again, give it up or hand it back", async () => {
      const db = await backend.open([notifyMigrations]);
      const now = 25_000;
      const late = createOutboxStore(db, { instanceId: "late" });
      const me = createOutboxStore(db, { instanceId: "me" });
      const id = await me.insert(delivery(1, now));
      expect((await late.claimDue(now, 1)).length).toBe(1);
      expect(await me.resetSending(now + 1, ["me"])).toBe(1);
      expect((await me.claimDue(now + 1, 1)).map((r) => r.id)).toEqual([id!]);
      // The late Steward's send failed while the store was away; its write-backs come after the takeover.
      await late.markRetry(id!, now + 5_000, "HTTP 503", now + 2);
      await late.markDead(id!, "permanent failure", "HTTP 400", now + 3);
      await late.unclaim(id!, now + 4);
      expect((await me.list({ status: ["sending"], limit: 10 })).map((r) => r.id)).toEqual([id!]);
      await me.markRetry(id!, now + 5_000, "HTTP 503", now + 5);
      expect((await me.list({ status: ["pending"], limit: 10 })).map((r) => r.id)).toEqual([id!]);
    });

    test("a single Steward at start sends again everything left in sending", async () => {
      const db = await backend.open([notifyMigrations]);
      const before = createOutboxStore(db, { instanceId: "before-restart" });
      await before.insert(delivery(1, 1_000));
      expect((await before.claimDue(1_000, 1)).length).toBe(1);
      expect(await createOutboxStore(db, { instanceId: "after-restart" }).resetSending(1_001)).toBe(1);
    });

    test("a follow-up waits for the alert it follows on the same channel and recipient, whatever its retries; other threads and recipients do not", async () => {
      const db = await backend.open([notifyMigrations]);
      const now = 30_000;
      const a = createOutboxStore(db, { instanceId: "a" });
      const b = createOutboxStore(db, { instanceId: "b" });
      const inThread = (i: number, thread: string | null, recipient = "ops@corp.example"): NewDelivery => ({
        ...delivery(i, now),
        key: `ev${i}|mail|${recipient}`,
        recipient,
        thread,
      });
      const opened = await a.insert(inThread(1, "cause:7"));
      const recovered = await a.insert(inThread(2, "cause:7"));
      const otherCause = await a.insert(inThread(3, "cause:8"));
      const otherRecipient = await a.insert(inThread(4, "cause:7", "boss@corp.example"));
      const noThread = await a.insert(inThread(5, null));
      const ids = (rows: Array<{ id: number }>) => rows.map((r) => r.id).sort((x, y) => x - y);

      // Both Stewards poll at once: the recovered page is not claimable while its opening page waits or is sent.
      const first = [...(await a.claimDue(now, 10)), ...(await b.claimDue(now, 10))];
      expect(ids(first)).toEqual([opened!, otherCause!, otherRecipient!, noThread!]);
      expect(await b.claimDue(now, 10)).toEqual([]);
      // Not due either: an idle worker sleeps instead of looking again at once.
      expect(await a.nextDueAt()).toBeUndefined();

      // The opening page fails and waits a minute for its retry: the recovered page waits with it.
      await a.markRetry(opened!, now + 60_000, "HTTP 503", now);
      expect(await b.claimDue(now + 1_000, 10)).toEqual([]);
      expect(await a.nextDueAt()).toBe(now + 60_000);
      const retried = await b.claimDue(now + 60_000, 10);
      expect(ids(retried)).toEqual([opened!]);
      await b.markDelivered(opened!, now + 60_001);
      expect(ids(await a.claimDue(now + 60_002, 10))).toEqual([recovered!]);
    });

    test("an opening page given up (dead-lettered) no longer holds its follow-up back", async () => {
      const db = await backend.open([notifyMigrations]);
      const now = 40_000;
      const o = createOutboxStore(db, { instanceId: "a" });
      const opened = await o.insert({ ...delivery(1, now), thread: "task:t1" });
      const recovered = await o.insert({ ...delivery(2, now), thread: "task:t1" });
      expect((await o.claimDue(now, 10)).map((r) => r.id)).toEqual([opened!]);
      await o.markDead(opened!, "permanent failure", "HTTP 400", now);
      expect((await o.claimDue(now, 10)).map((r) => r.id)).toEqual([recovered!]);
    });

    test("an event is read from the store once for all its deliveries, each caller gets a copy of its own, and a purge forgets it", async () => {
      const db = await backend.open([notifyMigrations]);
      let reads = 0;
      const counting = new Proxy(db, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (prop !== "get" || typeof v !== "function") return typeof v === "function" ? v.bind(target) : v;
          return (sql: string, params?: unknown[]) => {
            if (sql.includes("FROM notify_events")) reads++;
            return (v as SqlDb["get"]).call(target, sql, params as never);
          };
        },
      }) as SqlDb;
      const o = createOutboxStore(counting, { instanceId: "a" });
      const e = syntheticTaskEvent({ outcome: "failed", taskName: "Reload Sales" });
      await o.saveEvent(e, 1_000);
      const first = await o.getEvent(e.id);
      expect(first).toEqual(JSON.parse(JSON.stringify(e)));
      (first as { title?: string }).title = "changed by one caller";
      expect(await o.getEvent(e.id)).toEqual(JSON.parse(JSON.stringify(e)));
      expect(await o.getEvent(e.id)).toEqual(JSON.parse(JSON.stringify(e)));
      expect(reads).toBe(1);
      expect(await o.getEvent("no-such-event")).toBeUndefined();
      // Not kept when absent: written later (by another Steward), it is found.
      const later = syntheticTaskEvent({ outcome: "failed", taskName: "Reload Later" });
      await createOutboxStore(db, { instanceId: "b" }).saveEvent({ ...later, id: "no-such-event" }, 1_000);
      expect((await o.getEvent("no-such-event"))?.id).toBe("no-such-event");
      // The event has no delivery and is older than the cut: purged, and no longer found.
      await o.purge(2_000, 2_000);
      expect(await o.getEvent(e.id)).toBeUndefined();
    });

    test("a plan written twice (two Stewards handling one event) queues each delivery once, the rate limit once, and counts the rest as duplicates", async () => {
      const db = await backend.open([notifyMigrations]);
      const a = createOutboxStore(db, { instanceId: "a" });
      const b = createOutboxStore(db, { instanceId: "b" });
      const event = syntheticTaskEvent({ outcome: "failed", taskName: "Reload Twice" });
      const d = (channel: string, action: PlannedDelivery["action"], extra: Partial<PlannedDelivery> = {}): PlannedDelivery => ({
        route: "r",
        channel,
        channelType: "webhook",
        recipient: "",
        target: null,
        key: `${event.id}|${channel}|`,
        action,
        ...extra,
      });
      const plan = {
        event,
        routes: [],
        deliveries: [d("hook", "send", { rateLimit: { key: "rl|hook", windowMs: 60_000 } }), d("quiet", "suppress", { reason: "channel is disabled" })],
      };
      expect((await enqueuePlan(a, plan, 1_000, 3_600_000)).result).toEqual({ queued: 1, grouped: 0, suppressed: 1, duplicates: 0 });
      expect((await enqueuePlan(b, plan, 2_000, 3_600_000)).result).toEqual({ queued: 0, grouped: 0, suppressed: 0, duplicates: 2 });
      expect((await a.list({ limit: 10 })).map((r) => [r.channel, r.status]).sort()).toEqual([
        ["hook", "pending"],
        ["quiet", "suppressed"],
      ]);
      // The duplicate did not move the rate limit's window on.
      expect(await db.get<{ until: number }>("SELECT until FROM notify_rate_limits WHERE key = ?", ["rl|hook"])).toEqual({ until: 61_000 });
    });
  });
}
