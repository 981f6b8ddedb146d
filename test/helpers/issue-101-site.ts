// Issue 101's held-back site, for its closing scenario: 38 tasks in chains over three nodes. Central runs twelve loads
// on one source (DWH); Worker1 a load that meets a file lock and one that meets a refused connection, and six chains
// of three; Reload01 runs two reloads at once and cancels a run after 30 minutes in its queue, where an admin's two
// long reloads (started from the QMC, not scheduled) hold both engines while the night's loads queue behind them.
import { join } from "node:path";
import type { DomainEvent } from "../../src/platform/events/types";
import { generateApiKey, hashApiKey } from "../../src/platform/security/api-keys";
import { qlikYaml } from "../integration/start/scheduler/sim-setup";
import { createTestApp, type TestApp } from "./app";
import { simControl } from "./sim-control";
import { sendDatagramsTo, type SteppedSite } from "./stepped-site";

export const MIN = 60_000;
export const DAY = 24 * 60 * MIN;
/** The first night: Tuesday 10 March 2026 (UTC); `at(n, "02:00")` is 02:00 of night n (0-based). */
export const at = (night: number, hhmm: string) => Date.parse(`2026-03-10T${hhmm}:00Z`) + night * DAY;

export const LOADS = Array.from({ length: 12 }, (_, i) => `Load ${String(i + 1).padStart(2, "0")}`);
export const STOCK = "Reload Stock";
export const CRM = "Reload CRM";
export const FAILING = [...LOADS, STOCK, CRM];
/** Reload01's night: queued behind the admin's reloads; Late 1 and Late 2 are cancelled 10 and 35 minutes after 02:32. */
export const QUEUED = ["Extract orders", "Load Sales", "Late 1", "Late 2"];
export const ADMIN = ["Admin long 1", "Admin long 2"];
export const CHAINS = ["A", "B", "C", "D", "E", "F"];
/** When the first of the admin's long reloads ends (01:50 + 100 minutes) and Reload01 has a free engine. */
export const FREE_AT = "03:30";

export const LOCK = "The file lib://Data/stock/facts.qvd is being used by another process";
export const CONNECTION = "Connection refused: the server did not accept the connection";
const daily = (hhmm: string) => `{ type: schema, name: Nightly ${hhmm}, incrementOption: daily, startDate: "2026-03-01T${hhmm}:00.000", timeZone: UTC }`;
const after = (up: string) => `{ type: composite, name: After ${up}, rules: [{ task: ${up}, state: success }] }`;
/** Each failing app reads its own source; the twelve loads share DWH (the simulator's default script). */
const script = (lib: string) => `LIB CONNECT TO '${lib}';\\n[facts]:\\nLOAD * FROM [lib://Data/facts.qvd] (qvd);`;

interface SiteTask {
  name: string;
  node: string;
  minutes: number;
  triggers: string[];
  line?: string;
  script?: string;
}

export function siteTasks(): SiteTask[] {
  const loads = LOADS.map((name) => ({ name, node: "Central", minutes: 1, triggers: [daily("02:00")], line: CONNECTION }));
  const own = [
    { name: STOCK, node: "Worker1", minutes: 1, triggers: [daily("02:00")], line: LOCK, script: script("STOCKFS") },
    { name: CRM, node: "Worker1", minutes: 1, triggers: [daily("02:00")], line: CONNECTION, script: script("CRM") },
  ];
  const queued = [
    ...ADMIN.map((name, i) => ({ name, node: "Reload01", minutes: 100 + 30 * i, triggers: [] })),
    { name: "Extract orders", node: "Reload01", minutes: 5, triggers: [daily("02:00")] },
    { name: "Load Sales", node: "Reload01", minutes: 5, triggers: [daily("02:00"), after("Extract orders")] },
    { name: "Late 1", node: "Reload01", minutes: 5, triggers: [daily("02:12")] },
    { name: "Late 2", node: "Reload01", minutes: 5, triggers: [daily("02:37")] },
  ];
  const chains = CHAINS.flatMap((c, i) =>
    [1, 2, 3].map((k) => ({
      name: `Chain ${c}${k}`,
      node: i % 2 === 0 ? "Central" : "Worker1",
      minutes: 1,
      triggers: [k === 1 ? daily("02:40") : after(`Chain ${c}${k - 1}`)],
    })),
  );
  return [...loads, ...own, ...queued, ...chains];
}

const hex = (n: number) => String(n).padStart(12, "0");
export const taskIdOf = (name: string) => `00000000-0000-4000-8c00-${hex(siteTasks().findIndex((t) => t.name === name))}`;

export function siteYaml(): string {
  const tasks = siteTasks();
  const apps = tasks.map(
    (t, i) =>
      `  - { id: 00000000-0000-4000-8d00-${hex(i)}, name: ${t.name} app, owner: CORP\\anna, stream: Ops, lastReloadTime: "2026-03-09T02:00:20.000Z"${t.script ? `, script: "${t.script}"` : ""} }`,
  );
  const rows = tasks.map(
    (t, i) =>
      `  - { id: 00000000-0000-4000-8c00-${hex(i)}, name: ${t.name}, type: reload, app: ${t.name} app, node: ${t.node}, durationMs: ${t.minutes * MIN}, maxRetries: 0${t.line ? `, scriptError: "${t.line}"` : ""}, triggers: [${t.triggers.join(", ")}] }`,
  );
  return `site: { name: Issue 101 held-back site, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Worker1, hostName: sense2.test.example }
  - { name: Reload01, hostName: reload01.test.example, scheduler: { maxConcurrentEngines: 2, engineTimeout: 30 } }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna, email: anna@corp.example }
streams: [{ name: Ops }]
apps:
${apps.join("\n")}
tasks:
${rows.join("\n")}
`;
}

export const BASE = "https://steward.corp.example:8443";
/** Who is on duty on night n: the rota hands over on Wednesdays at 00:00, Anna's week first (from 4 March). */
export const onDuty = (night: number) => (Math.floor((night + 6) / 7) % 2 === 0 ? "anna@corp.example" : "bo@corp.example");
/** The key the on-call engineer acts with over REST (scope tasks). */
export const OPS_KEY = generateApiKey();

/** The integration key of the scenario's Opsgenie (its receiver checks every request carries it). */
export const OPSGENIE_KEY = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

/** Where the other channel types post: a Slack incoming webhook, a generic webhook, PagerDuty's and Opsgenie's APIs. */
export interface MoreChannels {
  slackUrl: string;
  hookUrl: string;
  pagerDutyUrl: string;
  opsgenieUrl: string;
}

/**
 * Steward's config: a rota, the mail and the Teams channel on each route (failures, the watchdog's kinds, the queue,
 * the freshness promises), the acting links; `rules` adds the documented rules of docs/remediation.md; `more` adds
 * Slack, a webhook, PagerDuty and Opsgenie to every route beside them.
 */
export function stewardYaml(o: { smtpPort: number; teamsUrl: string; rules: boolean; store: string; more?: MoreChannels }): string {
  const rules = o.rules
    ? `remediation:
  pollInterval: 10s
  rules:
    - name: transient-retries
      retryAfter: [5m, 15m]
    - name: queue-reruns
      errorClasses: [queue]
`
    : "remediation: { pollInterval: 10s }\n";
  const more = o.more
    ? `  ops-slack: { type: slack, webhookUrl: "${o.more.slackUrl}" }
  ops-hook: { type: webhook, url: "${o.more.hookUrl}" }
  ops-pd: { type: pagerduty, routingKey: "R0123456789abcdef0123456789abcde", url: "${o.more.pagerDutyUrl}/v2/enqueue" }
  ops-og: { type: opsgenie, apiKey: "${OPSGENIE_KEY}", url: "${o.more.opsgenieUrl}" }
`
    : "";
  const to = o.more ? "[ops-mail, ops-teams, ops-slack, ops-hook, ops-pd, ops-og]" : "[ops-mail, ops-teams]";
  return `${o.store}intake:
  reconcile: { intervalSeconds: 60, settleSeconds: 0 }
watchdog:
  interval: 30s
  rules:
    - { taskNames: ["Load *", "Reload *"], expectSuccessWithin: 1445m }
freshness:
  promises:
    sales-by-six: { appNames: [Load Sales app, Late 2 app], freshBy: "06:00", warnAt: "05:30" }
oncall:
  primary:
    timeZone: UTC
    people: [anna@corp.example, bo@corp.example]
    handover: { weekday: wed, at: "00:00" }
    firstWeek: "2026-03-04"
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${o.smtpPort}, security: none }, from: steward@corp.example, to: [qlik-ops@corp.example] }
  ops-teams: { type: teams, webhookUrl: "${o.teamsUrl}" }
${more}routes:
  - { name: failures, on: [task.failed, task.aborted, task.recovered], to: ${to}, recipients: { onCall: primary } }
  - { name: watchdog, on: [app.stale, task.missed, task.chain_broken, task.running_long, task.on_track], to: ${to}, recipients: { onCall: primary } }
  - { name: queue, on: [scheduler.queue_backlog], to: ${to}, recipients: { onCall: primary } }
  - { name: promises, on: [app.freshness_warning, app.freshness_breached, app.freshness_recovered], to: ${to} }
actionLinks: { publicBaseUrl: "${BASE}" }
security:
  apiKeys:
    - { name: oncall-key, hash: "${hashApiKey(OPS_KEY)}", scopes: [tasks, read] }
${rules}`;
}

export interface SiteSteward {
  t: TestApp;
  events: Array<{ at: number; e: DomainEvent }>;
  idOf: Map<string, string>;
}

/** Starts Steward on the site's clock and sends it the simulator's task events over UDP. */
export async function startSteward(s: SteppedSite, dir: string, yaml: string, startMs: number): Promise<SiteSteward> {
  const t = createTestApp(`${qlikYaml(s.sim)}${yaml}`, { clock: s.clock, dir: join(dir, "steward") });
  const events: SiteSteward["events"] = [];
  t.app.bus.onAny((_kind, e) => void events.push({ at: s.clock.now(), e: e as DomainEvent }));
  try {
    const starting = t.app.start();
    await s.clock.runUntil(startMs);
    await starting;
  } catch (err) {
    await t.close();
    throw err;
  }
  sendDatagramsTo(s, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t.app.intake.counters.received.get());
  const idOf = new Map<string, string>();
  for (const task of (await simControl(s.sim, "GET", "/tasks")) as Array<{ id: string; name: string }>) idOf.set(task.name, task.id);
  return { t, events, idOf };
}
