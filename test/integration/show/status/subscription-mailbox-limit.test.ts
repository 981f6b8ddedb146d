// Issue 103: the per-address limit of subscription requests counts the mailbox, not the text typed: with
// plus-addressing anna+1@, anna+2@ … all land in anna@'s inbox, and each used to get perAddress confirmation mails of
// its own (20 an hour from one client). Against the service and its store, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { isAppError } from "../../../../src/platform/core/errors";
import { statusSubscriptionMigrations } from "../../../../src/show/status/subscriptions/migrations";
import { createSubscriptionService, mailboxOf } from "../../../../src/show/status/subscriptions/service";
import { createSubscriptionStore } from "../../../../src/show/status/subscriptions/store";
import { bothBackends } from "../../../helpers/sql-backends";

const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const cfg = {
  enabled: true,
  channel: "business-mail",
  allowedDomains: ["corp.example"],
  perAddress: 3,
  perClient: 20,
  window: 3_600_000,
  confirmWithin: 172_800_000,
};

test("a mailbox is the address without its +tag, lower case", () => {
  expect(mailboxOf("Anna+Sales@Corp.Example")).toBe("anna@corp.example");
  expect(mailboxOf("anna@corp.example")).toBe("anna@corp.example");
  expect(mailboxOf("+x@corp.example")).toBe("+x@corp.example");
});

for (const backend of bothBackends()) {
  describe(`subscription requests per mailbox (${backend.name})`, () => {
    beforeAll(() => backend.open([statusSubscriptionMigrations]), 120_000);
    afterAll(() => backend.shutdown());

    test("anna+1@ … anna+4@ from one client: the fourth is refused with 429 naming body.email", async () => {
      const store = createSubscriptionStore(await backend.open([statusSubscriptionMigrations]));
      let queued = 0;
      const service = createSubscriptionService(cfg as never, {
        store,
        clock: createManualClock(Date.parse("2026-11-23T05:00:00Z")),
        baseUrl: "https://steward.corp.example",
        timeZone: () => "Europe/Oslo",
        labelOf: async () => "Sales dashboard",
        queued: () => {
          queued++;
        },
      });
      const ask = (email: string) => service.request({ email, appId: APP, promise: "", client: "10.1.2.3" });
      for (let i = 1; i <= 3; i++) await ask(`anna+${i}@corp.example`);
      const fourth = await ask("Anna+4@corp.example").catch((err: unknown) => err);
      expect(isAppError(fourth) && [fourth.code, fourth.details]).toEqual([
        "RATE_LIMITED",
        [{ field: "body.email", message: "at most 3 requests per mailbox (the address without its +tag) in 60 min" }],
      ]);
      expect(queued).toBe(3);
      // Another mailbox from the same client is still served: the per-client limit is its own.
      await ask("bob+1@corp.example");
      expect(queued).toBe(4);
    });
  });
}
