// What the freshness promises take of a Qlik Cloud tenant's automations (its shape is src/hear/cloud's AutomationFeed):
// an automation a promise names is kept as an app of its own from the first look (so a promise on one that never runs
// is judged), and each ended run is its reload. Automations no promise names are not kept.
import { AUTOMATION_TAG, automationAppId, namesAutomation } from "./automation-apps";
import type { FreshnessStore } from "./freshness-store";
import type { JudgedPromise } from "./judge";

export interface AutomationFeedSink {
  seen(a: { automationId: string; automation: string }): Promise<void>;
  runEnded(r: { automationId: string; automation: string; ok: boolean; endedMs: number }): Promise<void>;
}

export function automationFeedSink(store: FreshnessStore, promises: () => readonly JudgedPromise[]): AutomationFeedSink {
  const promised = (a: { automationId: string; automation: string }) =>
    promises().some((p) => namesAutomation(p.automations, { appId: automationAppId(a.automationId), appName: a.automation }));
  return {
    async seen(a) {
      if (promised(a)) await store.seedApp({ appId: automationAppId(a.automationId), appName: a.automation, tags: [AUTOMATION_TAG] });
    },
    async runEnded(r) {
      if (!promised(r)) return;
      await store.recordReload({
        appId: automationAppId(r.automationId),
        appName: r.automation,
        tags: [AUTOMATION_TAG],
        ok: r.ok,
        atMs: r.endedMs,
        task: `${r.automation} (Qlik Automate)`,
      });
    },
  };
}
