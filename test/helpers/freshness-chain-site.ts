// The freshness chain site (issue 67's case), shared by the tests that run its nights: Sales dashboard is promised
// fresh by 07:00 (warn 06:30, Mon–Fri, Europe/Stockholm); its chain starts with the ERP extract checking in at 05:00,
// then three Qlik tasks chained by task-event triggers: Extract orders (05:10, 20 min) → Transform orders (30 min) →
// Reload Sales dashboard (10 min). Finance is fed by the same job.
import type { SteppedSite } from "./stepped-site";

export const EXTRACT = "5a1e0c3b-7d2f-4e8a-9b6c-0d1e2f3a4b01";
export const TRANSFORM = "5a1e0c3b-7d2f-4e8a-9b6c-0d1e2f3a4b02";
export const SALES_RELOAD = "5a1e0c3b-7d2f-4e8a-9b6c-0d1e2f3a4b03";
export const SALES_APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
export const CHAIN_KEY = "erp-extract-stepped-key-0123456789";
const MIN = 60_000;

export const CHAIN_SITE = `
site: { name: Freshness chain site, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson }
streams:
  - { name: Sales }
apps:
  - { name: Orders extract, owner: CORP\\anna }
  - { name: Orders model, owner: CORP\\anna }
  - { id: ${SALES_APP}, name: Sales dashboard, owner: CORP\\anna, stream: Sales }
  - { name: Finance, owner: CORP\\anna, stream: Sales }
tasks:
  - id: ${EXTRACT}
    name: Extract orders
    type: reload
    app: Orders extract
    durationMs: ${20 * MIN}
    triggers:
      - { type: schema, name: Daily 05:10, incrementOption: daily, startDate: "2026-11-01T05:10:00.000", timeZone: Europe/Stockholm }
  - id: ${TRANSFORM}
    name: Transform orders
    type: reload
    app: Orders model
    durationMs: ${30 * MIN}
    triggers:
      - { type: composite, name: After the extract, rules: [{ task: Extract orders }] }
  - id: ${SALES_RELOAD}
    name: Reload Sales dashboard
    type: reload
    app: Sales dashboard
    durationMs: ${10 * MIN}
    triggers:
      - { type: composite, name: After the model, rules: [{ task: Transform orders }] }
`;

/** Steward's config for the site: its zone (notify.timeZone) and any further top-level keys (channels, routes). */
export function chainStewardYaml(site: SteppedSite, o: { timeZone: string; extra?: string }): string {
  return `qlik:
  host: 127.0.0.1
  qrsPort: ${site.sim.ports.qrs}
  certDir: ${JSON.stringify(site.sim.certDir)}
  timeoutMs: 5000
  retries: 1
intake:
  reconcile: { intervalSeconds: 3600, settleSeconds: 0 }
# The node rule's reads of QRS's service states (every 30 s by default, a fifth of a chain test's CPU) are not what
# these tests are about: the rich site's and the real nights' weeks read them.
grouping:
  nodeDown:
    unreachable: { enabled: false }
notify: { timeZone: ${o.timeZone} }
watchdog:
  interval: 5m
  stale: { enabled: false }
checkins:
  interval: 2m
  checks:
    erp-extract:
      key: ${CHAIN_KEY}
      cron: "0 5 * * 1-5"
      timeZone: Europe/Stockholm
      grace: 15m
      feeds: { appNames: [Sales dashboard, Finance], taskNames: [Extract orders] }
freshness:
  interval: 2m
  promises:
    sales-morning:
      appNames: [Sales dashboard]
      freshBy: "07:00"
      warnAt: "06:30"
      days: [mon, tue, wed, thu, fri]
      timeZone: Europe/Stockholm
${o.extra ?? ""}`;
}

/**
 * The same chain with its two later tasks on a reload node (issue 76: a node down while the promised chain runs):
 * Extract orders runs on Central, Transform orders and Reload Sales dashboard on Reload01.
 */
export const CHAIN_SITE_TWO_NODES = CHAIN_SITE.replace(
  "  - { name: Central, hostName: sense1.test.example, central: true }\n",
  "  - { name: Central, hostName: sense1.test.example, central: true }\n  - { name: Reload01, hostName: reload01.test.example }\n",
)
  .replace("    app: Orders model\n", "    app: Orders model\n    node: Reload01\n")
  .replace("    app: Sales dashboard\n", "    app: Sales dashboard\n    node: Reload01\n");

/** The same with the whole chain on Reload01, its head too (issue 76: the node down before the chain's first start). */
export const CHAIN_SITE_ON_RELOAD01 = CHAIN_SITE_TWO_NODES.replace("    app: Orders extract\n", "    app: Orders extract\n    node: Reload01\n");

/**
 * Issue 76's node-down tests: docs/watchdog.md's route and docs/freshness.md's, to one mailbox, every other setting at
 * its default; `store` a store: section (PostgreSQL) or none (SQLite).
 */
export const nodeDownStewardYaml = (site: SteppedSite, smtpPort: number, store = ""): string => `${store}qlik:
  host: 127.0.0.1
  qrsPort: ${site.sim.ports.qrs}
  certDir: ${JSON.stringify(site.sim.certDir)}
  timeoutMs: 5000
  retries: 1
notify: { timeZone: Europe/Stockholm }
watchdog: {}
freshness:
  promises:
    sales-morning:
      appNames: [Sales dashboard]
      freshBy: "07:00"
      warnAt: "06:30"
      days: [mon, tue, wed, thu, fri]
      timeZone: Europe/Stockholm
channels:
  ops-mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtpPort}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - name: what-did-not-happen
    on: [scheduler.queue_backlog, task.missed, task.chain_broken, task.running_long, app.stale, task.disabled, task.on_track]
    to: [ops-mail]
  - name: freshness
    on: [app.freshness_warning, app.freshness_breached, app.freshness_recovered]
    to: [ops-mail]
`;
