// The rota's own routes (issue 106): who is on duty now; the personal calendar feeds of people's shifts; the
// overrides people make over REST or the dashboard, with the notices telling the people each moves; and the hand-off
// notice to the incoming person before each shift (both mailed and posted to the rota's Slack and Teams channels); and the
// Slack user groups kept equal to who is on duty. Feeds and
// overrides are in the shared store, so every Steward of a site serves, revokes and follows them alike; who is on duty
// is the config's rota with those overrides merged in (`rota`).
import { effectiveActionLinks } from "../tell/ack-links/notice";
import type { HttpApp } from "../platform/http/app";
import { createHandoverNoticeStore } from "../show/handover-notice/notice-store";
import { openWork } from "../show/handover-notice/open-work";
import { createHandoverNotices } from "../show/handover-notice/service";
import { createCauseStore } from "../tell/grouping/cause-store";
import type { EmailChannelConfig } from "../tell/notify/channels/email/schema";
import type { ChatChannel } from "../tell/oncall/chat-notice";
import { type OnCallConfig, scheduleNames } from "../tell/oncall/config";
import { registerOnCallFeedRoutes } from "../tell/oncall/feed-routes";
import { createOnCallFeedStore } from "../tell/oncall/feed-store";
import { registerOnCallDutyRoutes } from "../tell/oncall/http-route";
import { createOverrideNotices } from "../tell/oncall/override-notices";
import { createOverrideStore } from "../tell/oncall/override-store";
import { registerOverrideRoutes } from "../tell/oncall/override-routes";
import { createSlackGroupStore } from "../tell/oncall/slack-group-store";
import { createSlackGroupSync } from "../tell/oncall/slack-group-sync";
import type { RotaOverrides } from "../tell/oncall/stored-overrides";
import type { Alerting } from "./alerting";
import type { Config } from "./config-schema";
import type { Wiring } from "./wiring";

type NoticeReads = Pick<Alerting, "incidents" | "alertGates" | "formatTime">;

export function wireOnCall(w: Wiring, http: HttpApp, alerting: NoticeReads, current: () => Config, rota: RotaOverrides): void {
  const configured = () => current().oncall;
  const oncall = () => rota.merged(configured());
  // Read before the first page: a Steward restarted during an override pages its person from its first alert.
  w.lifecycle.add({
    name: "oncall-overrides",
    start: () =>
      rota.refresh().catch((err: unknown) => w.log.warn({ err }, "the rota's overrides could not be read: the next look at who is on duty tries again")),
    stop() {},
  });
  const slackGroups = createSlackGroupSync({
    oncall,
    store: createSlackGroupStore(w.shared.sql),
    clock: w.clock,
    log: w.log,
    instanceId: w.clusterWiring.instanceId,
  });
  registerOnCallDutyRoutes(http.router, { oncall, clock: w.clock, slackGroupProblems: slackGroups.problems });
  const baseUrl = effectiveActionLinks(w.config).publicBaseUrl?.replace(/\/$/, "");
  registerOnCallFeedRoutes(http.router, {
    oncall,
    feeds: createOnCallFeedStore(w.shared.sql),
    db: w.shared.sql,
    clock: w.clock,
    ...(baseUrl ? { baseUrl } : {}),
  });
  const notices = createOverrideNotices({
    db: w.shared.sql,
    mailChannelOf: (schedule) => mailChannelOf(current(), schedule),
    chatChannelsOf: (schedule) => chatChannelsOf(current(), schedule),
    oncall: configured,
    clock: w.clock,
    log: w.log,
    instanceId: w.clusterWiring.instanceId,
    baseDir: w.loaded.baseDir,
    active: () => scheduleNames(configured()).length > 0,
    testTarget: () => {
      const t = current().notify.testMode;
      return t.enabled ? t.email : undefined;
    },
  });
  w.lifecycle.add(notices);
  registerOverrideRoutes(http.router, { oncall: configured, overrides: createOverrideStore(w.shared.sql), rota, clock: w.clock, notices });
  wireHandoverNotices(w, alerting, current, oncall);
  w.lifecycle.add(slackGroups);
}

/** The email channel of the first route that mails `schedule`'s person on duty (recipients.onCall). */
function mailChannelOf(config: Config, schedule: string): EmailChannelConfig | undefined {
  for (const route of config.routes) {
    if (route.recipients?.onCall !== schedule) continue;
    for (const name of route.to) {
      const ch = config.channels[name];
      if (ch?.type === "email") return ch;
    }
  }
  return undefined;
}

/** The Slack and Teams channels of the routes that name `schedule`'s person on duty (recipients.onCall). */
function chatChannelsOf(config: Config, schedule: string): ChatChannel[] {
  const out: ChatChannel[] = [];
  for (const route of config.routes) {
    if (route.recipients?.onCall !== schedule) continue;
    for (const name of route.to) {
      const ch = config.channels[name];
      if ((ch?.type === "slack" || ch?.type === "teams") && !out.includes(ch)) out.push(ch);
    }
  }
  return out;
}

/** The hand-off notice: the incoming person after every override (the config's and the stored ones). */
function wireHandoverNotices(w: Wiring, alerting: NoticeReads, current: () => Config, oncall: () => OnCallConfig | undefined): void {
  const causeStore = createCauseStore(w.shared.sql);
  const reads = () => ({
    db: w.shared.sql,
    ...(alerting.incidents ? { incidents: alerting.incidents } : {}),
    causeStore,
    silences: alerting.alertGates.silences.service,
    formatTime: alerting.formatTime,
  });
  const notices = createHandoverNotices({
    oncall,
    mailChannelOf: (schedule) => mailChannelOf(current(), schedule),
    chatChannelsOf: (schedule) => chatChannelsOf(current(), schedule),
    openWork: (now) => openWork(reads(), now),
    store: createHandoverNoticeStore(w.shared.sql),
    clock: w.clock,
    log: w.log,
    instanceId: w.clusterWiring.instanceId,
    baseDir: w.loaded.baseDir,
    testTarget: () => {
      const t = current().notify.testMode;
      return t.enabled ? t.email : undefined;
    },
  });
  w.lifecycle.add(notices);
}
