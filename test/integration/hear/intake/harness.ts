// Test harness for the intake: a simulator with one task of each type (short runs) and a Steward app whose UDP
// port the simulator's Scheduler sends to; events on the bus are collected.
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../../../src/sim";
import type { StartOptions } from "../../../../src/sim";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { Logger } from "../../../../src/platform/core/logger";
import type { Clock } from "../../../../src/platform/core/clock";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";
import { simCertDir } from "../../../helpers/sim-certs";

export const IDS = {
  app: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11",
  reload: "7552d9fc-d1bb-4975-9a38-18357de531ea",
  externalProgram: "1a2b3c4d-0001-4a00-8000-000000000001",
  userSync: "1a2b3c4d-0002-4a00-8000-000000000002",
  distribute: "1a2b3c4d-0003-4a00-8000-000000000003",
  preload: "1a2b3c4d-0004-4a00-8000-000000000004",
} as const;

export const SITE_YAML = `
site: { name: Intake test site, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson, email: anna.svensson@corp.example }
streams:
  - { name: Sales }
tags: [Nightly, Finance, Ops]
customProperties:
  - { name: Department, choiceValues: [Sales, IT], objectTypes: [App, ReloadTask, ExternalProgramTask, UserSyncTask] }
apps:
  - id: ${IDS.app}
    name: Sales dashboard
    owner: CORP\\anna
    stream: Sales
    tags: [Finance]
    customProperties: { Department: Sales }
tasks:
  - { id: ${IDS.reload}, name: Reload Sales dashboard, type: reload, app: Sales dashboard, tags: [Nightly], customProperties: { Department: Sales }, scriptError: "Cannot open file: 'lib://Data/orders.qvd'" }
  - { id: ${IDS.externalProgram}, name: Run ERP extract, type: externalProgram, path: "C:\\\\tools\\\\extract.cmd", tags: [Ops], customProperties: { Department: IT } }
  - { id: ${IDS.userSync}, name: User sync CORP, type: userSync, userDirectory: CORP, tags: [Ops] }
  - { id: ${IDS.distribute}, name: Distribute Sales to Cloud, type: distribute, app: Sales dashboard }
  - { id: ${IDS.preload}, name: Preload Sales dashboard, type: preload, app: Sales dashboard }
`;

export interface Harness {
  sim: Simulator;
  t: TestApp;
  events: TaskEvent[];
  /** Runs a task in the simulator (short duration). */
  run(taskId: string, outcome: NonNullable<StartOptions["outcome"]>, opts?: StartOptions): string;
  /** Waits until the task is not running any more, then runs it. */
  runWhenIdle(taskId: string, outcome: NonNullable<StartOptions["outcome"]>, opts?: StartOptions): Promise<string>;
  /** Waits for the event of that execution (optionally a given kind) and returns it. */
  eventFor(executionId: string, timeoutMs?: number): Promise<TaskEvent>;
  udpPort(): number;
  /** Points the simulator's Scheduler at the app's UDP port. */
  aim(): void;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /**
   * Waits until the reconciliation pass that starts with the app has ended: a runOnce() while it runs shares it
   * (and its count), which on a loaded machine can be long after the app's start.
   */
  startPassEnded(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
function merge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObj(v) && isObj(a[k]) ? merge(a[k] as Obj, v) : v;
  return out;
}

/** Short timings so the tests stay fast; `intake` overrides are merged in, `extra` is appended YAML. */
export function intakeYaml(sim: Simulator, intake: Obj = {}, extra = "", engine = false): string {
  const defaults: Obj = {
    enrichment: {
      lookupTimeoutMs: 1500,
      finalStatusAttempts: 20,
      finalStatusDelayMs: 25,
      scriptLog: { retryDelayMs: 50, attempts: 5 },
      distribute: { pollIntervalSeconds: 0.05, maxWaitMinutes: 1 },
    },
    reconcile: { intervalSeconds: 3600, settleSeconds: 0 },
  };
  return `
qlik:
  host: 127.0.0.1
  qrsPort: ${sim.ports.qrs}${engine ? `\n  enginePort: ${sim.ports.engine}` : ""}
  certDir: ${JSON.stringify(sim.certDir)}
  timeoutMs: 2000
  retries: 1
  qmcUrl: https://sense1.test.example/qmc
  hubUrl: https://sense1.test.example/hub
intake: ${JSON.stringify(merge(defaults, intake))}
${extra}`;
}

export interface HarnessOptions {
  dir: string;
  intake?: Obj;
  extraYaml?: string;
  simSettings?: NonNullable<Parameters<typeof startSimulator>[0]>["settings"];
  log?: Logger;
  /** Steward's clock (the simulator keeps real time). */
  clock?: Clock;
  /** The simulated site (YAML); the small test site by default. */
  site?: string;
  /** Point Steward at the simulator's Engine too (app reloads through the Engine API). */
  engine?: boolean;
  /** Let the simulator's Scheduler fire the site's triggers (task-event chains, schedules); off by default. */
  schedules?: boolean;
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const sim = await startSimulator({
    site: opts.site ?? SITE_YAML,
    certDir: simCertDir(join(opts.dir, "certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: opts.schedules ?? false,
    settings: { timing: { durationOverrideMs: 60 }, ...opts.simSettings },
  });
  const events: TaskEvent[] = [];
  const dataDir = join(opts.dir, "steward");
  let t!: TestApp;
  const boot = async () => {
    t = createTestApp(intakeYaml(sim, opts.intake, opts.extraYaml, opts.engine), { dir: dataDir, log: opts.log, clock: opts.clock });
    t.app.bus.onAny((_kind, payload) => void events.push(payload as TaskEvent));
    await t.app.start();
  };
  await boot();
  const h: Harness = {
    sim,
    get t() {
      return t;
    },
    events,
    run(taskId, outcome, o = {}) {
      const r = sim.tasks.start(taskId, { outcome, durationMs: 60, ...o });
      if (!r.started) throw new Error(`simulator did not start ${taskId}: ${r.reason}`);
      return r.executionId;
    },
    async runWhenIdle(taskId, outcome, o) {
      await waitFor(() => !sim.tasks.isRunning(taskId), { timeoutMs: 5000, what: `task ${taskId} to be idle` });
      return h.run(taskId, outcome, o);
    },
    eventFor: (executionId, timeoutMs = 8000) =>
      waitFor(() => events.find((e) => e.executionId === executionId), { timeoutMs, what: `the event of execution ${executionId}` }),
    udpPort: () => t.app.intake.udp!.address()!.port,
    aim() {
      sim.settings.udp.targets = [{ host: "127.0.0.1", port: h.udpPort() }];
    },
    async metric(name, labels = {}) {
      const text = await (await t.request("/metrics")).text();
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      for (const line of text.split("\n")) {
        if (!line.startsWith(name)) continue;
        const [series, value] = line.split(" ");
        if (series === name && want.length === 0) return Number(value);
        if (series!.startsWith(`${name}{`) && want.every((w) => series!.includes(w))) return Number(value);
      }
      return 0;
    },
    async startPassEnded() {
      const passes = async () =>
        (await h.metric("steward_intake_reconcile_runs_total", { result: "ok" })) +
        (await h.metric("steward_intake_reconcile_runs_total", { result: "error" }));
      await waitFor(async () => (await passes()) >= 1, { what: "the reconciliation pass at start to end" });
    },
    async restart() {
      await t.app.stop();
      await boot();
    },
    async close() {
      await t.close();
      await sim.stop();
    },
  };
  h.aim();
  return h;
}

/** Sends raw datagrams to the app from the given local address (127.0.0.1 or ::1). */
export async function sendDatagram(text: string | Buffer, port: number, to = "127.0.0.1"): Promise<void> {
  const s = createSocket(to.includes(":") ? "udp6" : "udp4");
  await new Promise<void>((resolve, reject) => s.send(typeof text === "string" ? Buffer.from(text) : text, port, to, (e) => (e ? reject(e) : resolve())));
  s.close();
}
