// Issue 106: two Stewards of one store (each with its own clock at the same instant, as two Qlik nodes sharing one
// PostgreSQL) both look for the hand-off notice each minute before the handover; the notice is claimed in the store,
// so bo gets one mail, not two. On both back ends (SQLite file, PostgreSQL), with real mails at a local SMTP receiver.
import { afterAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { handoverNoticeMigrations } from "../../../../src/show/handover-notice/migrations";
import { createHandoverNoticeStore } from "../../../../src/show/handover-notice/notice-store";
import { openWork } from "../../../../src/show/handover-notice/open-work";
import { createHandoverNotices } from "../../../../src/show/handover-notice/service";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { EmailChannelSchema } from "../../../../src/tell/notify/channels/email/schema";
import { OnCallSchema } from "../../../../src/tell/oncall/config";
import { bothBackends } from "../../../helpers/sql-backends";
import { startSmtpReceiver } from "../../tell/notify/receivers";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

const oncall = OnCallSchema.parse({
  primary: { timeZone: "Europe/Stockholm", people: ["anna@corp.example", "bo@corp.example"], firstWeek: "2026-11-02" },
});

function steward(db: SqlDb, name: string, port: number) {
  const clock = createManualClock(Date.parse("2026-11-23T07:40:00Z")); // Monday 08:40 in Stockholm
  const channel = EmailChannelSchema.parse({ type: "email", smtp: { host: "127.0.0.1", port, security: "none" }, from: "steward@corp.example" });
  const notices = createHandoverNotices({
    oncall: () => oncall,
    mailChannelOf: () => channel,
    openWork: (now) => openWork({ db, formatTime: (ms) => new Date(ms).toISOString() }, now),
    store: createHandoverNoticeStore(db),
    clock,
    log: createSilentLogger(),
    instanceId: name,
    baseDir: ".",
  });
  return { clock, notices };
}

for (const backend of backends) {
  describe(`the hand-off notice on ${backend.name}`, () => {
    test("two Stewards of one store send it once", async () => {
      const smtp = await startSmtpReceiver();
      const db = await backend.open([remediationMigrations, handoverNoticeMigrations]);
      const a = steward(db, "node-a", smtp.port);
      const b = steward(db, "node-b", smtp.port);
      try {
        a.notices.start();
        b.notices.start();
        // Both look each minute from 08:40 to 09:05: from 08:45 on, the notice is due to each of them.
        for (let minute = 0; minute < 25; minute++) await Promise.all([a.clock.advance(60_000), b.clock.advance(60_000)]);
        await Promise.all([a.notices.look(), b.notices.look()]);
        expect(smtp.mails.map((m) => m.envelopeTo)).toEqual([["bo@corp.example"]]);
        expect(smtp.mails[0]!.mail.text).toContain("anna@corp.example hands over to you");
      } finally {
        await a.notices.stop();
        await b.notices.stop();
        await smtp.stop();
      }
    }, 120_000);
  });
}
