// Issue 106: the notices of an override reach each person once, on SQLite and on PostgreSQL. Two Stewards of one
// store both look for unsent notices at the same moment: each notice is claimed in the store before it is mailed, so a
// real SMTP receiver gets one mail per person; queuing the same change again (a retried request) adds none.
import { afterAll, describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { EmailChannelConfig } from "../../../../src/tell/notify/channels/email/schema";
import { onCallMigrations } from "../../../../src/tell/oncall/migrations";
import { overrideNotices } from "../../../../src/tell/oncall/override-notice-text";
import { createOverrideNotices } from "../../../../src/tell/oncall/override-notices";
import { createOverrideStore } from "../../../../src/tell/oncall/override-store";
import { postgresBackend, sqliteBackend } from "../../../helpers/sql-backends";
import { type SmtpReceiver, startSmtpReceiver } from "../notify/receivers";

const backends = [sqliteBackend(), postgresBackend()];
let smtp: SmtpReceiver | undefined;
afterAll(async () => {
  await smtp?.stop();
  for (const b of backends) await b.shutdown();
});

for (const backend of backends) {
  describe(backend.name, () => {
    test("two Stewards draining at once mail each person of an override once", async () => {
      smtp ??= await startSmtpReceiver();
      const before = smtp.mails.length;
      const channel = parseConfigText(
        `channels:\n  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }\n`,
        "steward.yaml",
        ".",
      ).config.channels.mail as EmailChannelConfig;
      const db = await backend.open([onCallMigrations]);
      const clock = createManualClock(Date.parse("2026-11-24T10:00:00Z"));
      const steward = (instanceId: string) =>
        createOverrideNotices({ db, mailChannelOf: () => channel, clock, log: createSilentLogger(), instanceId, baseDir: ".", active: () => true });
      const [a, b] = [steward("node-a"), steward("node-b")];
      const o = await createOverrideStore(db).create({
        schedule: "primary",
        person: "carl@corp.example",
        from: Date.parse("2026-11-25T23:00:00Z"),
        until: Date.parse("2026-11-26T23:00:00Z"),
        createdAt: clock.now(),
        createdBy: "Bo Berg <bo@corp.example> (sso:bo)",
      });
      const notices = overrideNotices("made", o, "Europe/Stockholm", "bo@corp.example", o.createdBy);
      expect(notices.map((n) => n.person)).toEqual(["carl@corp.example", "bo@corp.example"]);
      await a.queue(o.id, "made", "primary", notices);
      await b.queue(o.id, "made", "primary", notices);
      await Promise.all([a.drain(), b.drain(), a.drain(), b.drain()]);
      const mails = smtp.mails.slice(before);
      expect(mails.flatMap((m) => m.envelopeTo).sort()).toEqual(["bo@corp.example", "carl@corp.example"]);
      expect(mails.find((m) => m.envelopeTo.includes("bo@corp.example"))!.mail.subject).toBe(
        "carl@corp.example covers your duty (primary) from Thu 26 Nov 00:00 until Fri 27 Nov 00:00 (Europe/Stockholm)",
      );
      // A later look sends nothing more.
      await clock.advance(10 * 60_000);
      await Promise.all([a.drain(), b.drain()]);
      expect(smtp.mails.length - before).toBe(2);
    }, 60_000);
  });
}
