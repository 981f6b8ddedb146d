// The Scheduler-queue nights (issues 67 and 87) share one kind of site: a central node and Reload01, a reload node
// whose Scheduler runs few reloads at once, so that loads queue behind long ones; every task a reload on Reload01 on
// a daily 02:00-ish schedule or a chain trigger; and Steward on the stepped clock the simulator runs on, hearing its
// task events over UDP, each event it emits kept with the clock's time.
import { join } from "node:path";
import type { DomainEvent } from "../../src/platform/events/types";
import { qlikYaml } from "../integration/start/scheduler/sim-setup";
import { createTestApp, type TestApp } from "./app";
import { sendDatagramsTo, type SteppedSite } from "./stepped-site";

export const MIN = 60_000;
/** A time of the night of Tuesday 3 March 2026 (UTC), the nights' date. */
export const at = (hhmm: string) => Date.parse(`2026-03-03T${hhmm}:00Z`);
/** A daily schema trigger at `hhmm` UTC. */
export const daily = (hhmm: string) => `{ type: schema, name: Daily ${hhmm}, incrementOption: daily, startDate: "2026-02-01T${hhmm}:00.000", timeZone: UTC }`;
/** A composite trigger: after `up` succeeded. */
export const after = (up: string) => `{ type: composite, name: After ${up}, rules: [{ task: ${up}, state: success }] }`;
/** A task line: a reload of "`name` app" on Reload01 taking `minutes`; `extra` adds fields (", id: …"). */
export const reloadTask = (name: string, minutes: number, triggers: string[], extra = "") =>
  `  - { name: ${name}, type: reload, app: ${name} app, node: Reload01, durationMs: ${minutes * MIN}, triggers: [${triggers.join(", ")}]${extra} }`;

export interface ReloadQueueSite {
  /** The site's name. */
  name: string;
  /** Reloads Reload01 runs at once, and its queue timeout in minutes. */
  engines: number;
  engineTimeout: number;
  /** The apps' owner: CORP\anna (a user with a mail address) unless the scheduler's own account is named. */
  owner?: "CORP\\anna" | "INTERNAL\\sa_scheduler";
  /** The apps, each "`name` app" in stream Ops (an `id` where a test names the app by id). */
  apps: Array<string | { name: string; id: string }>;
  /** The task lines (reloadTask's). */
  tasks: string[];
}

/** The simulator's site YAML. */
export function reloadQueueSiteYaml(o: ReloadQueueSite): string {
  const owner = o.owner ?? "CORP\\anna";
  const app = (a: string | { name: string; id: string }) =>
    typeof a === "string" ? `  - { name: ${a} app, owner: ${owner}, stream: Ops }` : `  - { id: ${a.id}, name: ${a.name} app, owner: ${owner}, stream: Ops }`;
  return `site: { name: ${o.name} }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example, scheduler: { maxConcurrentEngines: ${o.engines}, engineTimeout: ${o.engineTimeout} } }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
${owner === "CORP\\anna" ? "  - { userDirectory: CORP, userId: anna, name: Anna, email: anna@corp.example }\n" : ""}streams: [{ name: Ops }]
apps:
${o.apps.map(app).join("\n")}
tasks:
${o.tasks.join("\n")}
`;
}

/** Steward's config for the nights that look at one failure: no hourly reconcile, no node-down or stale looks. */
export const QUIET_LOOKS = `intake:
  reconcile: { intervalSeconds: 3600, settleSeconds: 0 }
grouping:
  nodeDown:
    unreachable: { enabled: false }
watchdog:
  stale: { enabled: false }
`;

export interface SiteSteward {
  t: TestApp;
  /** Every event Steward emitted, with the clock's time. */
  events: Array<{ at: number; e: DomainEvent }>;
}

/**
 * Starts Steward on `s`'s clock with the simulator's qlik section and `yaml`, in `dir`/steward, steps the clock to
 * `startMs` (the start's own waits) and sends it the simulator's task events over UDP (`besides`: as well as to the
 * Stewards started before, a cluster's second member).
 */
export async function startStewardOnSite(s: SteppedSite, dir: string, yaml: string, startMs: number, opts: { besides?: boolean } = {}): Promise<SiteSteward> {
  const { sim, clock } = s;
  const t = createTestApp(`${qlikYaml(sim)}${yaml}`, { clock, dir: join(dir, "steward") });
  const events: SiteSteward["events"] = [];
  t.app.bus.onAny((_kind, e) => void events.push({ at: clock.now(), e: e as DomainEvent }));
  try {
    const starting = t.app.start();
    await clock.runUntil(startMs);
    await starting;
  } catch (err) {
    // The test's afterAll has no Steward to stop yet.
    await t.close();
    throw err;
  }
  sendDatagramsTo(s, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t.app.intake.counters.received.get(), opts);
  return { t, events };
}
