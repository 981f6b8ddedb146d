// Tells the people an override moves (issue 106): a made or cancelled override queues one notice per person in the
// store, and they are mailed at once and then at every look (each minute on the Clock) until sent. A notice is
// claimed in the store before it is sent, so the Stewards of one PostgreSQL send each once; a claim whose Steward
// stopped before it sent is taken over after STALE_MS. Reaches the person the ways the hand-off notice does: mailed
// through the email channel a route to the schedule (recipients.onCall) sends on, to that person alone, and posted
// with a mention of them to the Slack and Teams channels such routes post to (chat-notice.ts).
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { createSerialLook } from "../../platform/core/serial-look";
import type { SqlDb } from "../../platform/store/sql";
import type { EmailChannelConfig } from "../notify/channels/email/schema";
import type { ChatChannel } from "./chat-notice";
import type { OnCallConfig } from "./config";
import { personMention } from "./mention";
import type { OverrideChange, OverrideNotice } from "./override-notice-text";
import { givePersonalNotice } from "./personal-notice";

const LOOK_MS = 60_000;
/** Longer than a send to a slow SMTP server takes: a claim this old without a send is a Steward that stopped. */
const STALE_MS = 5 * 60_000;
/** A notice nobody could send for a day is given up (its change is long known, or long over): logged, not retried. */
const GIVE_UP_MS = 86_400_000;

export interface OverrideNoticeDeps {
  db: SqlDb;
  /** The email channel the routes naming `schedule` in recipients.onCall send on; undefined: none does. */
  mailChannelOf(schedule: string): EmailChannelConfig | undefined;
  /** The Slack and Teams channels the routes naming `schedule` in recipients.onCall post to; absent: none. */
  chatChannelsOf?(schedule: string): ChatChannel[];
  /** The rota, for the Slack and Teams ids a post mentions its person by (oncall.people). */
  oncall?(): OnCallConfig | undefined;
  clock: Clock;
  log: Logger;
  instanceId: string;
  baseDir: string;
  /** Whether the config has a rota: without one, no override can be made and nothing is looked for each minute. */
  active(): boolean;
  /** notify.testMode.email while test mode is on: the notice goes there, its person named in the subject. */
  testTarget?(): string | undefined;
}

type Row = { id: number; schedule: string; person: string; subject: string; body: string; created_at: number };

export type OverrideNotices = ReturnType<typeof createOverrideNotices>;

export function createOverrideNotices(d: OverrideNoticeDeps) {
  const log = d.log.child({ module: "override-notices" });
  /** Until start(): a notice queued is kept for the first look, not sent at once. */
  let stopped = true;

  const claim = async (id: number, now: number) =>
    (
      await d.db.run(
        "UPDATE oncall_override_notices SET claimed_by = ?, claimed_at = ? WHERE id = ? AND sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < ?)",
        [d.instanceId, now, id, now - STALE_MS],
      )
    ).changes > 0;

  const sendOne = async (row: Row, now: number) => {
    const channel = d.mailChannelOf(row.schedule);
    const chats = d.chatChannelsOf?.(row.schedule) ?? [];
    if (!channel && chats.length === 0) {
      log.warn(
        { schedule: row.schedule, person: row.person },
        "no route reaches this schedule's person (recipients.onCall with an email, Slack or Teams channel): the override notice is not sent",
      );
      await d.db.run("UPDATE oncall_override_notices SET sent_at = ? WHERE id = ?", [now, row.id]);
      return;
    }
    if (!(await claim(row.id, now))) return;
    try {
      const ways = { mail: channel, chats, baseDir: d.baseDir, testTarget: d.testTarget?.() };
      const notice = { subject: row.subject, text: row.body };
      const failed = await givePersonalNotice(ways, row.person, notice, personMention(d.oncall?.(), row.person), "For");
      if (failed.length > 0) log.warn({ schedule: row.schedule, person: row.person, failed }, "override notice given, but not every way reached the person");
      await d.db.run("UPDATE oncall_override_notices SET sent_at = ? WHERE id = ?", [d.clock.now(), row.id]);
      log.info({ schedule: row.schedule, person: row.person }, "override notice sent");
    } catch (err) {
      await d.db.run("UPDATE oncall_override_notices SET claimed_at = NULL, claimed_by = NULL WHERE id = ? AND sent_at IS NULL", [row.id]);
      log.warn({ schedule: row.schedule, person: row.person, err: (err as Error).message }, "override notice not sent; tried again at the next look");
    }
  };

  const drainOnce = async () => {
    const now = d.clock.now();
    const rows = await d.db.all<Row>(
      "SELECT id, schedule, person, subject, body, created_at FROM oncall_override_notices WHERE sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < ?) ORDER BY id",
      [now - STALE_MS],
    );
    for (const r of rows) {
      const row = { ...r, id: Number(r.id), created_at: Number(r.created_at) };
      if (now - row.created_at > GIVE_UP_MS) {
        log.error({ schedule: row.schedule, person: row.person }, "override notice not sent for a day: given up");
        await d.db.run("UPDATE oncall_override_notices SET sent_at = ? WHERE id = ?", [now, row.id]);
      } else await sendOne(row, now);
    }
  };

  // A call while a drain runs makes it run once more after (a notice queued meanwhile is not left for a minute).
  const loop = createSerialLook({
    clock: d.clock,
    label: "override notices",
    look: drainOnce,
    onError: (err) => log.error({ err }, "override notices: the store could not be read"),
    // The look each minute, while the config has a rota (a notice queued by a Steward that stopped before sending is
    // taken over) or after this Steward queued one: an idle Steward with no rota reads nothing (idle-site-statements).
    nextDelayMs: () => (d.active() ? LOOK_MS : undefined),
  });
  /** A timer already armed keeps its time. */
  const arm = () => {
    if (!loop.armed()) loop.arm(LOOK_MS);
  };
  const drain = loop.run;

  return {
    name: "override-notices",
    drain,
    /** Queues the notices of one change (each person once per override and change), then sends them. */
    async queue(overrideId: number, change: OverrideChange, schedule: string, notices: readonly OverrideNotice[]): Promise<void> {
      const now = d.clock.now();
      for (const n of notices)
        await d.db.run(
          `INSERT INTO oncall_override_notices (override_id, change, person, subject, body, schedule, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (override_id, change, person) DO NOTHING`,
          [overrideId, change, n.person, n.subject, n.text, schedule, now],
        );
      if (!stopped) {
        arm();
        void drain();
      }
    },
    start() {
      stopped = false;
      loop.start();
      if (d.active()) arm();
      void drain();
    },
    async stop() {
      stopped = true;
      await loop.stop();
    },
  };
}
