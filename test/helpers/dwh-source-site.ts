// A site of four reload tasks reading one source, DWH, under the documented retry rule (connection errors, retried 5
// and 15 minutes later), on the simulator and a stepped clock shared with Steward (issue 101's Causes page tests):
// their failures are one cause, its first task the rule's probe, the three others waiting for it.
import { join } from "node:path";
import { createTestApp, type TestApp } from "./app";
import { simControl } from "./sim-control";
import type { SteppedSite } from "./stepped-site";
import type { SmtpReceiver } from "../integration/tell/notify/receivers";
import { qlikYaml } from "../integration/start/scheduler/sim-setup";

export const START = Date.parse("2026-03-10T01:50:00Z");
export const MIN = 60_000;
export const LOADS = ["Load 01", "Load 02", "Load 03", "Load 04"];
export const taskId = (i: number) => `00000000-0000-4000-8c00-${String(i).padStart(12, "0")}`;

/** Every app reads the same source, DWH: their failures are one cause. */
const SCRIPT = "LIB CONNECT TO 'DWH';\\n[sales]:\\nLOAD * FROM [lib://Data/sales.qvd] (qvd);";

export function dwhSite(): string {
  const daily = `{ type: schema, name: Nightly, incrementOption: daily, startDate: "2026-03-01T02:00:00.000", timeZone: UTC }`;
  const apps = LOADS.map(
    (n, i) =>
      `  - { id: 00000000-0000-4000-8d00-${String(i).padStart(12, "0")}, name: ${n} app, owner: INTERNAL\\sa_scheduler, stream: Sales, script: "${SCRIPT}" }`,
  );
  const tasks = LOADS.map(
    (n, i) =>
      `  - { id: ${taskId(i)}, name: ${n}, type: reload, app: ${n} app, durationMs: 20000, maxRetries: 0, scriptError: "Connection refused: the DWH server did not accept the connection", triggers: [${daily}] }`,
  );
  return `site: { name: Causes being done, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
streams: [{ name: Sales }]
apps:
${apps.join("\n")}
tasks:
${tasks.join("\n")}
`;
}

/** Steward on the site's clock under the documented rule, its tasks' failures routed to mail; `extra`: more YAML (a store, http, keys). */
export function dwhSteward(s: SteppedSite, dir: string, smtp: SmtpReceiver, extra = ""): TestApp {
  return createTestApp(
    `${extra}${qlikYaml(s.sim)}intake:
  reconcile: { intervalSeconds: 60, settleSeconds: 0 }
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
routes:
  - { on: [task.failed, task.recovered], to: [ops-mail] }
remediation:
  rules:
    - name: connection-retries
      errorClasses: [connection]
      retryAfter: [5m, 15m]
`,
    { clock: s.clock, dir: join(dir, "steward") },
  );
}

export async function setOutcome(s: SteppedSite, outcome: "fail" | "succeed") {
  for (let i = 0; i < LOADS.length; i++) await simControl(s.sim, "PATCH", `/tasks/${taskId(i)}`, { outcome });
}
