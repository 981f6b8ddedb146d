// The rota's own routes and duties (issue 106): who is on duty now, from the config in force and the clock; and the
// hand-off notice mailed to the incoming person before each shift.
import type { HttpApp } from "../platform/http/app";
import { createHandoverNoticeStore } from "../show/handover-notice/notice-store";
import { openWork } from "../show/handover-notice/open-work";
import { createHandoverNotices } from "../show/handover-notice/service";
import { createCauseStore } from "../tell/grouping/cause-store";
import type { EmailChannelConfig } from "../tell/notify/channels/email/schema";
import { registerOnCallDutyRoutes } from "../tell/oncall/http-route";
import type { Alerting } from "./alerting";
import type { Config } from "./config-schema";
import type { Wiring } from "./wiring";

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

export function wireOnCall(w: Wiring, http: HttpApp, alerting: Pick<Alerting, "incidents" | "alertGates" | "formatTime">, current: () => Config): void {
  registerOnCallDutyRoutes(http.router, { oncall: () => current().oncall, clock: w.clock });
  const causeStore = createCauseStore(w.shared.sql);
  const notices = createHandoverNotices({
    oncall: () => current().oncall,
    mailChannelOf: (schedule) => mailChannelOf(current(), schedule),
    openWork: (now) =>
      openWork(
        {
          db: w.shared.sql,
          ...(alerting.incidents ? { incidents: alerting.incidents } : {}),
          causeStore,
          silences: alerting.alertGates.silences.service,
          formatTime: alerting.formatTime,
        },
        now,
      ),
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
