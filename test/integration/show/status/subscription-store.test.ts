// The subscriptions' store on both back ends: one subscription per address and target (a repeated request renews an
// unconfirmed one's nonce, never a confirmed one's), a notice recorded once, a mail queued once per subscription and
// key and claimed by one caller at a time, and the purge of old mails, unconfirmed requests and notices.
import { afterAll, describe, expect, test } from "bun:test";
import { statusSubscriptionMigrations } from "../../../../src/show/status/subscriptions/migrations";
import { createSubscriptionStore } from "../../../../src/show/status/subscriptions/store";
import { postgresBackend, sqliteBackend } from "../../../helpers/sql-backends";

const DAY = 86_400_000;
const T0 = Date.parse("2026-11-23T05:00:00Z");
const backends = [sqliteBackend(), postgresBackend()];
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

for (const backend of backends) {
  describe(backend.name, () => {
    test("one subscription per address and target; notices and mails once; a claim holds off the others", async () => {
      const store = createSubscriptionStore(await backend.open([statusSubscriptionMigrations]));
      const ask = (nonce: string, now: number) => store.request({ address: "anna@corp.example", appId: "a1", promise: "", label: "Sales", nonce, now });
      const first = await ask("n1", T0);
      expect((await ask("n2", T0 + 1)).nonce).toBe("n2");
      expect(await store.confirm(first.id, T0 + 2)).toBe(true);
      expect(await store.confirm(first.id, T0 + 3)).toBe(false);
      const again = await ask("n3", T0 + 4);
      expect([again.id, again.nonce, again.confirmedAt]).toEqual([first.id, "n2", T0 + 2]);
      expect((await store.confirmedFor("sales-morning", "A1")).map((s) => s.id)).toEqual([first.id]);
      expect(await store.confirmedFor("sales-morning", "a2")).toEqual([]);

      const notice = { key: "k|late", word: "late" as const, promise: "p", appId: "a1", appName: "Sales", title: "t", text: "x", at: T0 };
      expect(await store.addNotice(notice)).toMatchObject({ key: "k|late", word: "late" });
      expect(await store.addNotice(notice)).toBeUndefined();

      const mail = { subscriptionId: first.id, key: "k|late", address: "anna@corp.example", subject: "s", text: "t", html: "h", unsubscribeUrl: "u", now: T0 };
      expect(await store.queueMail(mail)).toBe(true);
      expect(await store.queueMail(mail)).toBe(false);
      const [due] = await store.dueMails(T0, 10);
      expect(await store.claim(due!.id, T0, 60_000)).toBe(true);
      expect(await store.claim(due!.id, T0, 60_000)).toBe(false);
      expect(await store.dueMails(T0 + 1000, 10)).toEqual([]);
      await store.failed(due!.id, "busy", T0 + 120_000);
      expect(await store.dueMails(T0 + 60_000, 10)).toEqual([]);
      expect((await store.dueMails(T0 + 120_000, 10)).map((m) => m.attempts)).toEqual([1]);
      await store.sent(due!.id);
      expect(await store.mailStates()).toEqual({ sent: 1 });
    });

    test("a subscription's mails go in the order queued: a later one waits while an earlier one is unsent, claimed or not", async () => {
      const store = createSubscriptionStore(await backend.open([statusSubscriptionMigrations]));
      const sub = await store.request({ address: "bo@corp.example", appId: "a1", promise: "", label: "Sales", nonce: "n", now: T0 });
      await store.confirm(sub.id, T0);
      const other = await store.request({ address: "cy@corp.example", appId: "a1", promise: "", label: "Sales", nonce: "n", now: T0 });
      await store.confirm(other.id, T0);
      const mail = (subscriptionId: number, key: string) => ({
        subscriptionId,
        key,
        address: "x@corp.example",
        subject: key,
        text: "t",
        html: "h",
        unsubscribeUrl: "u",
        now: T0,
      });
      await store.queueMail(mail(sub.id, "late"));
      await store.queueMail(mail(sub.id, "fresh"));
      await store.queueMail(mail(other.id, "late"));
      // Two Stewards: one claims "late"; the other must not send "fresh" before it, but may send another reader's mail.
      const [late, ...rest] = await store.dueMails(T0, 10);
      expect([late!.subject, ...rest.map((m) => m.subject)]).toEqual(["late", "late"]);
      expect(await store.claim(late!.id, T0, 60_000)).toBe(true);
      expect((await store.dueMails(T0 + 1, 10)).map((m) => [m.subscriptionId, m.subject])).toEqual([[other.id, "late"]]);
      await store.failed(late!.id, "451 try later", T0 + 30_000);
      expect((await store.dueMails(T0 + 2, 10)).map((m) => m.subscriptionId)).toEqual([other.id]);
      await store.sent(late!.id);
      expect((await store.dueMails(T0 + 3, 10)).map((m) => [m.subscriptionId, m.subject])).toEqual([
        [sub.id, "fresh"],
        [other.id, "late"],
      ]);
    });

    test("the purge forgets old sent mails, requests never confirmed and old notices; keeps the rest", async () => {
      const store = createSubscriptionStore(await backend.open([statusSubscriptionMigrations]));
      const old = await store.request({ address: "old@corp.example", appId: "a1", promise: "", label: "Sales", nonce: "n", now: T0 - 40 * DAY });
      const kept = await store.request({ address: "kept@corp.example", appId: "a1", promise: "", label: "Sales", nonce: "n", now: T0 - 40 * DAY });
      await store.confirm(kept.id, T0 - 40 * DAY);
      const mail = (key: string, now: number) => ({
        subscriptionId: kept.id,
        key,
        address: "kept@corp.example",
        subject: "s",
        text: "t",
        html: "h",
        unsubscribeUrl: "u",
        now,
      });
      await store.queueMail(mail("sent-long-ago", T0 - 40 * DAY));
      await store.queueMail(mail("still-pending", T0 - 40 * DAY));
      await store.queueMail(mail("sent-lately", T0 - DAY));
      // Ids in the order queued: the second stays pending.
      for (const id of [1, 3]) await store.sent(id);
      const notice = (key: string, at: number) => ({ key, word: "late" as const, promise: "p", appId: "a1", appName: "Sales", title: key, text: "x", at });
      await store.addNotice(notice("ancient", T0 - 100 * DAY));
      await store.addNotice(notice("recent", T0 - DAY));
      await store.purge(T0 - 30 * DAY, T0 - 90 * DAY);
      expect(await store.get(old.id)).toBeUndefined();
      expect((await store.get(kept.id))?.address).toBe("kept@corp.example");
      expect(await store.mailStates()).toEqual({ pending: 1, sent: 1 });
      expect((await store.notices({ limit: 10 })).map((n) => n.key)).toEqual(["recent"]);
    });
  });
}
