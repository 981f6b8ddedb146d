// The rota's hand-off notice (issue 106): `noticeBefore` a shift begins, the incoming person (after overrides) is
// told when it starts and ends, who hands over, and what is still open. Mailed through the SMTP server of the email
// channel a route to the schedule (recipients.onCall) sends on, to that person alone; and posted, with a mention of
// them, to the Slack and Teams channels such routes post to (tell/oncall/chat-notice.ts). Each Steward looks every minute on its
// Clock; the notice is claimed in the store first, so the Stewards of one PostgreSQL send it once.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { createSerialLook } from "../../platform/core/serial-look";
import type { EmailChannelConfig } from "../../tell/notify/channels/email/schema";
import { noticeBeforeMs, type OnCallConfig, scheduleNames, scheduleOf } from "../../tell/oncall/config";
import type { ChatChannel } from "../../tell/oncall/chat-notice";
import { onDutyMention } from "../../tell/oncall/mention";
import { givePersonalNotice } from "../../tell/oncall/personal-notice";
import { nextChange, upcomingHandover } from "./next-handover";
import type { HandoverNoticeStore } from "./notice-store";
import { handoverNoticeText } from "./notice-text";

const LOOK_MS = 60_000;
const IDLE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

export interface HandoverNoticeDeps {
  oncall(): OnCallConfig | undefined;
  /** The email channel the routes naming `schedule` in recipients.onCall send on; undefined: none does. */
  mailChannelOf(schedule: string): EmailChannelConfig | undefined;
  /** The Slack and Teams channels the routes naming `schedule` in recipients.onCall post to. */
  chatChannelsOf?(schedule: string): ChatChannel[];
  /** What is still open, one line each (the handover's lines, the actions waiting for a person). */
  openWork(now: number): Promise<string[]>;
  store: HandoverNoticeStore;
  clock: Clock;
  log: Logger;
  instanceId: string;
  baseDir: string;
  /** notify.testMode.email while test mode is on: the notice goes there, its person named in the subject. */
  testTarget?(): string | undefined;
}

export function createHandoverNotices(d: HandoverNoticeDeps) {
  const log = d.log.child({ module: "handover-notice" });
  let prunedAt = 0;
  /** Schedules already warned about having no mail route, so the log says it once a run, not every minute. */
  const warned = new Set<string>();
  /** Per schedule, when to look again (the next change of duty less the lead), while its config (as JSON) is the same. */
  const lookAt = new Map<string, { schedule: string; at: number }>();

  const noticeOne = async (name: string, now: number) => {
    const s = scheduleOf(d.oncall(), name)!;
    const lead = noticeBeforeMs(s);
    const planned = lookAt.get(name);
    const same = JSON.stringify(s);
    if (lead === 0 || (planned && planned.schedule === same && now < planned.at)) return;
    const h = upcomingHandover(s, now, lead);
    if (!h) {
      // Working out who is on duty costs a Cron per instant: look again only when the next change is within the lead
      // (or past it, when this one is not noticed), not each minute of the week. A reload's new schedule looks at once.
      const until = nextChange(s, now);
      lookAt.set(name, { schedule: same, at: until === undefined ? now + WEEK_MS : until - lead > now ? until - lead : until });
      return;
    }
    const channel = d.mailChannelOf(name);
    const chats = d.chatChannelsOf?.(name) ?? [];
    if (!channel && chats.length === 0) {
      if (!warned.has(name))
        log.warn(
          { schedule: name },
          "no route reaches this schedule's person (recipients.onCall with an email, Slack or Teams channel): no hand-off notice is sent",
        );
      warned.add(name);
      return;
    }
    if (!(await d.store.claim(name, h.start, h.incoming, d.instanceId, now))) return;
    try {
      const end = nextChange(s, h.start);
      const notice = handoverNoticeText(name, s.timeZone, { ...h, ...(end !== undefined && { end }) }, await d.openWork(now));
      const who = onDutyMention(d.oncall(), name, h.start) ?? { address: h.incoming, name: h.incoming };
      const ways = { mail: channel, chats, baseDir: d.baseDir, testTarget: d.testTarget?.() };
      const failed = await givePersonalNotice(ways, h.incoming, notice, who);
      if (failed.length > 0) log.warn({ schedule: name, person: h.incoming, failed }, "hand-off notice given, but not every way reached the person");
      await d.store.sent(name, h.start, d.clock.now());
      log.info({ schedule: name, person: h.incoming, shiftStart: new Date(h.start).toISOString() }, "hand-off notice sent");
    } catch (err) {
      await d.store.release(name, h.start);
      log.warn({ schedule: name, person: h.incoming, err: (err as Error).message }, "hand-off notice not sent; tried again at the next look");
    }
  };

  /** Each minute while a notice is due (or unsent); else at the next schedule's lead, looking at least every IDLE_MS for a reload's change. */
  const nextLookIn = (): number => {
    const now = d.clock.now();
    let next = now + IDLE_MS;
    for (const name of scheduleNames(d.oncall())) next = Math.min(next, lookAt.get(name)?.at ?? now);
    return Math.max(LOOK_MS, next - now);
  };

  const lookOnce = async (): Promise<void> => {
    const now = d.clock.now();
    if (now - prunedAt >= DAY_MS) {
      prunedAt = now;
      await d.store.prune(now);
    }
    for (const name of scheduleNames(d.oncall())) await noticeOne(name, now);
  };

  // The timer waits for its look, so a manual clock moved past a handover waits for the notice before it goes on.
  const loop = createSerialLook({
    clock: d.clock,
    label: "hand-off notices",
    look: lookOnce,
    onError: (err) => log.error({ err }, "hand-off notices: the store could not be read"),
    nextDelayMs: nextLookIn,
  });

  return {
    name: "handover-notices",
    look: loop.run,
    start() {
      loop.start(LOOK_MS);
    },
    stop: loop.stop,
  };
}
