// Issue 102's held-back site: Sales dashboard is promised fresh by 06:00 (UTC, warn 05:30, every day); its chain is
// three Qlik tasks chained by task-event triggers: Extract sales (01:30, 8 min) → Transform sales (20 min) → Reload
// Sales dashboard (4 min), and the dashboard also reloads on its own schedule at 07:00, after the deadline, reading
// whatever QVDs are there. Extract sales fails on a script error when a test asks it to. Reload archive (no trigger)
// is started by a test to hold the node's one engine while the chain's head waits for it; a remediation rule retries
// a failure on a locked file 5 minutes on.
import type { SteppedSite } from "./stepped-site";

export const HEAD = "7c2f0a1e-3b4d-4e5f-8a9b-1c2d3e4f5a01";
export const MODEL = "7c2f0a1e-3b4d-4e5f-8a9b-1c2d3e4f5a02";
export const DASHBOARD_RELOAD = "7c2f0a1e-3b4d-4e5f-8a9b-1c2d3e4f5a03";
export const DASHBOARD_APP = "1d3f2bc5-1a4d-4c2f-8e1b-7a3e8e4b0d21";
export const ARCHIVE = "7c2f0a1e-3b4d-4e5f-8a9b-1c2d3e4f5a04";
const MIN = 60_000;

export const HELD_BACK_SITE = `
site: { name: Held-back site, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson }
streams:
  - { name: Sales }
apps:
  - { name: Sales extract, owner: CORP\\anna }
  - { name: Sales model, owner: CORP\\anna }
  - { id: ${DASHBOARD_APP}, name: Sales dashboard, owner: CORP\\anna, stream: Sales }
  - { name: Archive, owner: CORP\\anna }
tasks:
  - id: ${HEAD}
    name: Extract sales
    type: reload
    app: Sales extract
    durationMs: ${8 * MIN}
    scriptError: "Field 'OrderDate' not found"
    triggers:
      - { type: schema, name: Nightly 01:30, incrementOption: daily, startDate: "2026-11-01T01:30:00.000", timeZone: UTC }
  - id: ${MODEL}
    name: Transform sales
    type: reload
    app: Sales model
    durationMs: ${20 * MIN}
    triggers:
      - { type: composite, name: After the extract, rules: [{ task: Extract sales }] }
  - id: ${DASHBOARD_RELOAD}
    name: Reload Sales dashboard
    type: reload
    app: Sales dashboard
    durationMs: ${4 * MIN}
    triggers:
      - { type: composite, name: After the model, rules: [{ task: Transform sales }] }
      - { type: schema, name: Morning refresh 07:00, incrementOption: daily, startDate: "2026-11-01T07:00:00.000", timeZone: UTC }
  - id: ${ARCHIVE}
    name: Reload archive
    type: reload
    app: Archive
    durationMs: ${45 * MIN}
`;

/** Steward for the site: the watchdog (which reads the chain), the promise, and subscriptions mailed to `smtpPort`. */
export function heldBackStewardYaml(site: SteppedSite, o: { httpPort: number; smtpPort: number }): string {
  return `qlik:
  host: 127.0.0.1
  qrsPort: ${site.sim.ports.qrs}
  certDir: ${JSON.stringify(site.sim.certDir)}
  timeoutMs: 5000
  retries: 1
http: { host: 127.0.0.1, port: ${o.httpPort}, publicUrl: "http://127.0.0.1:${o.httpPort}" }
intake:
  reconcile: { intervalSeconds: 3600, settleSeconds: 0 }
grouping:
  nodeDown:
    unreachable: { enabled: false }
notify: { timeZone: UTC }
watchdog:
  interval: 5m
  stale: { enabled: false }
freshness:
  interval: 2m
  promises:
    sales-morning:
      appNames: [Sales dashboard]
      freshBy: "06:00"
      warnAt: "05:30"
      timeZone: UTC
channels:
  business-mail: { type: email, smtp: { host: 127.0.0.1, port: ${o.smtpPort}, security: none }, from: "Qlik status <status@corp.example>" }
status:
  subscriptions: { channel: business-mail, allowedDomains: [corp.example] }
remediation:
  rules:
    - { name: lock-retry, errorClasses: [lock], retryAfter: [5m] }
`;
}
