// The alertmanager.yml of docs/channels.md ("Set it up in Alertmanager") runs in a real Prometheus Alertmanager, and
// its inhibit rule on Steward's labels works: the stale-app alert of an app whose reload task is failing is inhibited
// by the task's alert (equal: [app]), while the failure itself stays active.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { alertmanagerAlerts, startAlertmanager } from "../../../helpers/alertmanager";
import { createTestApp, type TestApp } from "../../../helpers/app";
import type { TestService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";

/** The text block that follows the heading, as an administrator would copy it. */
function docsAlertmanagerYml(): string {
  const page = readFileSync(join(import.meta.dir, "../../../../docs/channels.md"), "utf8");
  const from = page.indexOf("### Set it up in Alertmanager");
  const block = /```text\n([\s\S]*?)```/.exec(page.slice(from));
  if (from < 0 || !block) throw new Error("docs/channels.md has no alertmanager.yml under 'Set it up in Alertmanager'");
  return block[1]!;
}

let am: TestService;
let t: TestApp;

beforeAll(async () => {
  am = await startAlertmanager({ wholeConfig: docsAlertmanagerYml() });
  t = createTestApp(`
channels:
  am: { type: alertmanager, urls: ["${am.url}"], labels: { team: qlik } }
routes:
  - { on: [task.failed, app.stale], to: [am] }
`);
  await t.app.start();
}, 60_000);
afterAll(async () => {
  await t?.close();
  await am?.stop();
});

test("the docs' inhibit rule: a failing reload task inhibits its app's stale alert", async () => {
  const stale = syntheticWatchdogEvent("app.stale");
  const appName = stale.app!.name;
  await t.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed", taskName: "Reload Sales dashboard", appName }));
  await t.app.bus.emit("app.stale", stale);
  const [failed, inhibited] = await waitFor(
    async () => {
      const all = await alertmanagerAlerts(am);
      const f = all.find((a) => a.labels.alertname === "QlikTaskFailed" && a.labels.app === appName);
      const s = all.find((a) => a.labels.alertname === "QlikAppStale" && a.labels.app === appName);
      return f && s?.status.state === "suppressed" ? ([f, s] as const) : undefined;
    },
    { what: "the stale alert inhibited by the failure" },
  );
  expect(failed.status.state).toBe("active");
  expect(inhibited.status.inhibitedBy).toEqual([failed.fingerprint]);
});
