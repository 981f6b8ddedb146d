// Issue 102, "one mail, once": a subscription mail is claimed in the shared store before it is sent. A Steward that
// stops after the SMTP server took the mail and before the store marked it sent leaves its claim; another Steward
// sends the mail again within a minute, under the same Message-ID (what docs/status.md tells a reader to expect). A
// Steward whose SMTP server is only slow keeps its claim for as long as the send goes on: nobody sends it twice.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { statusSubscriptionMigrations } from "../../../../src/show/status/subscriptions/migrations";
import { createSubscriptionSender } from "../../../../src/show/status/subscriptions/sender";
import { createSubscriptionStore, type SubscriptionStore } from "../../../../src/show/status/subscriptions/store";
import { bothBackends } from "../../../helpers/sql-backends";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const T0 = Date.parse("2026-11-23T05:00:00Z");

for (const backend of bothBackends()) {
  describe(`a subscription mail left by a stopped Steward (${backend.name})`, () => {
    let smtp: SmtpReceiver;
    let hold: Promise<void> | undefined;
    beforeAll(async () => {
      smtp = await startSmtpReceiver({ beforeAccept: () => hold ?? Promise.resolve() });
      await backend.open([statusSubscriptionMigrations]);
    }, 120_000);
    afterAll(async () => {
      await smtp.stop();
      await backend.shutdown();
    });

    const senderOn = (store: SubscriptionStore, clock: ReturnType<typeof createManualClock>) =>
      createSubscriptionSender({
        store,
        clock,
        log: createSilentLogger(),
        baseDir: ".",
        channel: { type: "email", smtp: { host: "127.0.0.1", port: smtp.port, security: "none" }, from: "status@corp.example", timeout: 10_000 } as never,
      });

    async function queued(store: SubscriptionStore, key: string, address: string): Promise<void> {
      const sub = await store.request({ address, appId: "a1", promise: "", label: "Sales", nonce: `n-${key}`, now: T0 });
      await store.confirm(sub.id, T0);
      await store.queueMail({
        subscriptionId: sub.id,
        key,
        address,
        subject: `late ${key}`,
        text: "t",
        html: "<p>t</p>",
        unsubscribeUrl: "https://s/u",
        now: T0,
      });
    }

    test("sent by another Steward within a minute, under the same Message-ID", async () => {
      const db = await backend.open([statusSubscriptionMigrations]);
      const clock = createManualClock(T0);
      const store = createSubscriptionStore(db);
      await queued(store, "died", "anna@corp.example");
      // Steward A: the SMTP server takes the mail, then A stops before its store marks it sent (its writes fail).
      const dying: SubscriptionStore = { ...store, sent: () => Promise.reject(new Error("stopped")), failed: () => Promise.reject(new Error("stopped")) };
      await senderOn(dying, clock).drain();
      const mails = () => smtp.mails.filter((m) => m.envelopeTo.includes("anna@corp.example"));
      expect(mails()).toHaveLength(1);

      const b = senderOn(store, clock);
      b.start();
      try {
        await clock.advance(30_000);
        await clock.advance(30_000);
        await waitFor(() => mails()[1], { what: "the mail sent again by the other Steward", timeoutMs: 10_000 });
        expect(mails()).toHaveLength(2);
        expect(mails()[1]!.mail.messageId).toBe(mails()[0]!.mail.messageId);
        // The server took it before the Steward recorded it: wait for the record.
        await waitFor(async () => (await store.mailStates()).sent === 1, { what: "the mail recorded as sent" });
        expect(await store.mailStates()).toEqual({ sent: 1 });
      } finally {
        await b.stop();
      }
    });

    test("a slow SMTP server: the claim is held while the send goes on, and the other Steward sends nothing", async () => {
      const db = await backend.open([statusSubscriptionMigrations]);
      const clock = createManualClock(T0);
      const store = createSubscriptionStore(db);
      await queued(store, "slow", "bob@corp.example");
      let release!: () => void;
      hold = new Promise<void>((r) => {
        release = r;
      });
      const a = senderOn(store, clock);
      // The receiver is the file's: the sessions of the test before count too.
      const sessions = smtp.sessions + 1;
      const sending = a.drain();
      await waitFor(async () => smtp.sessions === sessions && (await db.get("SELECT 1 AS one FROM status_mails WHERE claimed_until > 0")) !== undefined, {
        what: "A's send under way",
      });
      const b = senderOn(store, clock);
      for (let i = 0; i < 9; i++) {
        await clock.advance(10_000);
        await b.drain();
      }
      expect(smtp.sessions).toBe(sessions);
      hold = undefined;
      release();
      await sending;
      await b.stop();
      expect(smtp.mails.filter((m) => m.envelopeTo.includes("bob@corp.example"))).toHaveLength(1);
      expect(await store.mailStates()).toMatchObject({ sent: 1 });
    });
  });
}
