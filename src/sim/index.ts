// Public surface of the Qlik Sense simulator: startSimulator() runs QRS (HTTPS), Engine (WSS), the Scheduler's
// UDP events and the control API in-process. Nothing else in src/ imports this folder.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Clock, wallClock } from "../platform/core/clock";
import { createCloudServer, createCloudTenant, type CloudTenant } from "./cloud";
import { ensureCerts } from "./certs/ensure";
import type { CertSet } from "./certs/generate";
import { createControlServer } from "./control/server";
import { createEngineServer } from "./engine/server";
import { createEngineState, type EngineState } from "./engine/state";
import { createQrsServer } from "./qrs/server";
import { createRepository, type Repository } from "./repo/repository";
import { effectiveDuration, SimSettingsSchema, type SimSettings, type SimSettingsInput } from "./settings";
import { DEFAULT_SITE_YAML } from "./site/default-site";
import { loadSiteFile, parseSite } from "./site/load";
import type { SiteModel } from "./site/model";
import { createTaskRunner, type TaskRunner } from "./tasks/runner";
import { createTaskScheduler, type TaskScheduler } from "./tasks/scheduler";
import { createFaults, type Faults } from "./traffic/faults";
import { createRequestLog, type RequestLog } from "./traffic/request-log";
import { createUdpEmitter, type UdpEmitter } from "./udp/emitter";
import { createVersionServer } from "./version/server";
import { matchingAppenders } from "./udp/format";
import { canonicalNodeTargets } from "./udp/node-targets";
import type { Listener } from "./util/listener";

export { SimError } from "./errors";
export { parseSite, loadSiteFile } from "./site/load";
export { DEFAULT_SITE_YAML } from "./site/default-site";
export { ensureCerts, CERT_FILES } from "./certs/ensure";
export { generateCertSet, type CertSet } from "./certs/generate";
export type { SiteModel, TaskModel, AppModel } from "./site/model";
export type { SimSettings, SimSettingsInput, UdpSettings, UdpTarget } from "./settings";
export type { LoggedRequest } from "./traffic/request-log";
export type { StartOptions, StartResult } from "./tasks/runner";

export const DEFAULT_PORTS = { qrs: 4242, engine: 4747, control: 4799, version: 9032 } as const;

export interface SimulatorLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface SimulatorOptions {
  /** A resolved site, or site YAML text. Default: the embedded config/sim-site.yaml. */
  site?: SiteModel | string;
  /** Load the site from this YAML file instead. */
  sitePath?: string;
  /** Where the QMC-style certificate export lives (created when missing). Default: ./sim-certs. */
  certDir?: string;
  /** Extra DNS names for the server certificate besides localhost. */
  hostNames?: string[];
  /** Address the QRS and Engine bind to (default 127.0.0.1). The control API always binds to 127.0.0.1. */
  hostname?: string;
  /** Ports; 0 picks a free one. Defaults: QRS 4242, Engine 4747, control 4799. */
  qrsPort?: number;
  enginePort?: number;
  controlPort?: number;
  /** Port of the version endpoint (`/v1/systeminfo`, Qlik's 9032); not started when left out. */
  versionPort?: number;
  /** Port of a simulated Qlik Cloud tenant (HTTPS, API-key bearer auth); not started when left out. */
  cloudPort?: number;
  /** The tenant's API key (default: a random one, written to cloud-api-key.txt). */
  cloudApiKey?: string;
  /** Initial knobs: UDP targets (site-wide and per node) and generation, timing, script-log behaviour, start conflicts. */
  settings?: SimSettingsInput;
  /**
   * Execution results QRS keeps at least before it forgets the oldest ended ones (default 5,000; a site with more
   * tasks keeps twice its tasks). Tests lower it to reach the bound with a small site.
   */
  keepExecutionResults?: number;
  /** Fire the fixture's cron schedules (default true). */
  schedules?: boolean;
  /** Clock for timestamps (default Date.now); timers always run in real time. */
  now?: () => number;
  /**
   * Run on a virtual clock from `startMs`, `speed` times faster than real time (overrides `now` and
   * timing.timeScale): QRS dates, execution results and trigger grids are in simulated time.
   */
  virtualClock?: { startMs: number; speed: number; realStartMs?: number };
  /**
   * One clock shared with Steward (a stepped simulation, src/platform/core/stepped-clock.ts): timestamps, run durations,
   * reloads and triggers all run on it, unscaled. Not with `virtualClock`.
   */
  clock?: Clock;
  log?: SimulatorLogger;
}

export interface Simulator {
  urls: { qrs: string; engine: string; control: string; version?: string; cloud?: string };
  ports: { qrs: number; engine: number; control: number; version?: number; cloud?: number };
  /** The simulated Qlik Cloud tenant (its API key is also in `cloud-api-key.txt` in the certificate folder). */
  cloud?: CloudTenant;
  certDir: string;
  /** PEM texts of the generated set (ca = root.pem, clientCert = client.pem, …). */
  certs: CertSet;
  site: SiteModel;
  settings: SimSettings;
  repo: Repository;
  tasks: TaskRunner;
  /** The Scheduler that fires the triggers (what it did not start: notStarted()). */
  scheduler: TaskScheduler;
  engine: EngineState;
  requests: RequestLog;
  faults: Faults;
  udp: UdpEmitter;
  listeners: { qrs: Listener; engine: Listener; control: Listener; version?: Listener };
  stop(): Promise<void>;
}

function resolveSite(opts: SimulatorOptions): SiteModel {
  if (opts.sitePath !== undefined) return loadSiteFile(opts.sitePath);
  if (opts.site === undefined) return parseSite(DEFAULT_SITE_YAML, "config/sim-site.yaml (embedded)");
  if (typeof opts.site === "string") return parseSite(opts.site, "site.yaml");
  return opts.site;
}

/** The simulator's time: a clock shared with Steward, a virtual clock running `speed` times faster, or wall time. */
function simulatorTime(opts: SimulatorOptions): { now: () => number; clock: Clock } {
  const virtual = opts.virtualClock;
  const realStart = virtual?.realStartMs ?? Date.now();
  const shared = opts.clock;
  if (shared && virtual) throw new Error("startSimulator: clock and virtualClock cannot be combined");
  const now = shared ? () => shared.now() : virtual ? () => virtual.startMs + (Date.now() - realStart) * virtual.speed : (opts.now ?? Date.now);
  // The speed-up divides the timers' waits itself, so they are armed in wall time.
  return { now, clock: shared ?? wallClock };
}

/** The simulated Qlik Cloud tenant; its API key and OAuth client are written next to the certificates for clients. */
function startCloudTenant(opts: SimulatorOptions, site: SiteModel, settings: SimSettings, certDir: string, now: () => number, clock: Clock): CloudTenant {
  const cloud = createCloudTenant(site, {
    now,
    clock,
    durationMs: () => effectiveDuration(settings.timing, 3_000),
    speed: opts.virtualClock?.speed ?? 1,
    schedules: opts.schedules ?? true,
    ...(opts.cloudApiKey ? { apiKey: opts.cloudApiKey } : {}),
  });
  writeFileSync(join(certDir, "cloud-api-key.txt"), `${cloud.apiKey}\n`, { mode: 0o600 });
  writeFileSync(join(certDir, "cloud-oauth-client.json"), `${JSON.stringify(cloud.oauthClient, null, 2)}\n`, { mode: 0o600 });
  return cloud;
}

/** Starts every listener; when one cannot start, those already started stop again. */
function startAll(listeners: Listener[]): void {
  const started: Listener[] = [];
  try {
    for (const l of listeners) {
      l.start();
      started.push(l);
    }
  } catch (err) {
    for (const l of started) l.stop();
    throw err;
  }
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  // On a virtual clock simulated time runs `speed` times faster: timestamps and trigger grids are virtual, run
  // durations shrink by the same factor, so a week of a site's schedules passes in seconds and reads true.
  const virtual = opts.virtualClock;
  const { now, clock } = simulatorTime(opts);
  const log = opts.log ?? { info: () => {}, warn: () => {} };
  const onError = (err: Error) => log.warn(err.message, { err: err.name });
  const site = resolveSite(opts);
  const settings = SimSettingsSchema.parse(opts.settings ?? {});
  if (virtual) settings.timing.timeScale = 1 / virtual.speed;
  // The fixture's per-node appender targets first; targets given to this start (settings, CLI) win for a node.
  const fromSite = Object.fromEntries(site.nodes.flatMap((n) => (n.udpTargets ? [[n.name, n.udpTargets]] : [])));
  settings.udp.nodeTargets = canonicalNodeTargets(site.nodes, { ...fromSite, ...settings.udp.nodeTargets });
  const certDir = opts.certDir ?? join(process.cwd(), "sim-certs");
  const certs = ensureCerts(certDir, opts.hostNames ? { hostNames: opts.hostNames } : {});
  if (certs.generated) log.info("generated certificates", { certDir });

  const repo = createRepository(site, opts.keepExecutionResults);
  const udp = createUdpEmitter(settings.udp, onError);
  const tasks = createTaskRunner({
    repo,
    settings,
    now,
    clock,
    onEngineLog: (e) => udp.handleEngine(e),
    onLog: (e) => {
      udp.handle(e);
      // Log the transitions an appender could pick up, so a person watching `steward sim` sees the story.
      if (matchingAppenders(e, "both").length > 0) log.info(`${e.taskName}: ${e.message}`, { taskId: e.taskId, executionId: e.executionId });
    },
  });
  const scheduler = createTaskScheduler(repo, tasks, opts.schedules ?? true, settings, now, virtual?.speed, clock);
  const engine = createEngineState(repo, settings, now, clock, (e) => udp.handleEngine(e));
  const requests = createRequestLog();
  const faults = createFaults();
  const hostname = opts.hostname ?? "127.0.0.1";

  const qrs = createQrsServer({
    repo,
    runner: tasks,
    settings,
    certs,
    requestLog: requests,
    faults,
    now,
    hostname,
    port: opts.qrsPort ?? DEFAULT_PORTS.qrs,
    onError,
  });
  const eng = createEngineServer({ state: engine, certs, requestLog: requests, faults, hostname, port: opts.enginePort ?? DEFAULT_PORTS.engine, onError });
  const cloud = opts.cloudPort === undefined ? undefined : startCloudTenant(opts, site, settings, certDir, now, clock);
  const cloudServer = cloud ? createCloudServer({ tenant: cloud, certs, requestLog: requests, now, hostname, port: opts.cloudPort!, onError }) : undefined;
  const control = createControlServer({
    ...(cloud ? { cloud } : {}),
    repo,
    runner: tasks,
    settings,
    requestLog: requests,
    faults,
    udp,
    engine,
    listeners: { qrs, engine: eng },
    now,
    scheduler,
    hostname: "127.0.0.1",
    port: opts.controlPort ?? DEFAULT_PORTS.control,
    onError,
  });

  const version =
    opts.versionPort === undefined
      ? undefined
      : createVersionServer({ site, certs, requestLog: requests, faults, now, hostname, port: opts.versionPort, onError });

  try {
    startAll([qrs, eng, control, ...(version ? [version] : []), ...(cloudServer ? [cloudServer] : [])]);
  } catch (err) {
    await udp.stop();
    throw err;
  }
  scheduler.start();

  const ports = {
    qrs: qrs.port(),
    engine: eng.port(),
    control: control.port(),
    ...(version ? { version: version.port() } : {}),
    ...(cloudServer ? { cloud: cloudServer.port() } : {}),
  };
  // Clients connect by IP: the certificate covers 127.0.0.1, and "localhost" may resolve to ::1 first.
  const host = hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let stopped = false;
  return {
    urls: {
      qrs: `https://${urlHost}:${ports.qrs}`,
      engine: `wss://${urlHost}:${ports.engine}`,
      control: `http://127.0.0.1:${ports.control}`,
      ...(version ? { version: `https://${urlHost}:${version.port()}` } : {}),
      ...(cloudServer ? { cloud: `https://${urlHost}:${cloudServer.port()}` } : {}),
    },
    ...(cloud ? { cloud } : {}),
    ports,
    certDir,
    certs,
    site,
    settings,
    repo,
    tasks,
    scheduler,
    engine,
    requests,
    faults,
    udp,
    listeners: { qrs, engine: eng, control, ...(version ? { version } : {}) },
    async stop() {
      if (stopped) return;
      stopped = true;
      scheduler.stop();
      tasks.stop();
      version?.stop();
      cloudServer?.stop();
      cloud?.stop();
      control.stop();
      eng.stop();
      qrs.stop();
      await udp.stop();
    },
  };
}
