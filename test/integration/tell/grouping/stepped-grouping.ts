// The set-up the grouping scenarios share: a simulated site on a stepped clock from `start`, a webhook and a mail
// receiver, and a Steward on the same clock whose watchdog looks every 5 simulated minutes and that routes `kinds`
// to both receivers (`extraYaml`, top-level keys, is added to its config). Returned started, with the clock at `start`.
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../notify/receivers";
import { qlikYaml } from "../../start/scheduler/sim-setup";

export interface GroupingScenario {
  s: SteppedSite;
  t: TestApp;
  rx: HttpReceiver;
  smtp: SmtpReceiver;
}

export async function startGroupingScenario(dir: string, start: number, siteYaml: string, kinds: readonly string[], extraYaml = ""): Promise<GroupingScenario> {
  const rx = startHttpReceiver();
  const smtp = await startSmtpReceiver();
  const s = await startSteppedSite(dir, start, siteYaml);
  const { sim, clock } = s;
  const t = createTestApp(
    `${qlikYaml(sim)}watchdog:
  interval: 5m
intake:
  reconcile: { intervalSeconds: 120, settleSeconds: 0 }
channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [${kinds.join(", ")}], to: [hook, mail] }
${extraYaml}`,
    { clock, dir: join(dir, "steward") },
  );
  const starting = t.app.start();
  await clock.runUntil(start);
  await starting;
  return { s, t, rx, smtp };
}
