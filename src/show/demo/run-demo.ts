// `steward demo` in one process: the Qlik Sense simulator (default site), Steward on config/demo.yaml, and the
// capture inbox; a story starts simulated tasks and the terminal narrates events and delivered alerts. With
// `cluster`, two Stewards (node-a, node-b) share a private PostgreSQL store and hear every datagram.
import type { Logger } from "pino";
import type { StewardApp } from "../../app";
import { wallClock } from "../../platform/core/clock";
import { AppError } from "../../platform/core/errors";
import { startSimulator, type Simulator } from "../../sim";
import { createCaptureInbox, type CaptureInbox } from "./capture-inbox";
import { createClusterWatch, createDemoNode, leaderNode, liveApp, type DemoNode } from "./cluster-demo";
import { join } from "node:path";
import { buildDemoConfig, DEMO_LEASE_MS, runningDemoConfig } from "./demo-config";
import { createDemoSchedules } from "./demo-schedules";
import { buildDemoSite } from "./demo-site";
import { resetDemoDataDir } from "./data-dir";
import { pickDemoPorts, type DemoClusterPorts, type DemoPorts } from "./ports";
import { findPostgresPrograms, startPrivatePostgres, type PostgresPrograms, type PrivatePostgres } from "./private-postgres";
import { recordLastGoodLoad } from "./kv-activity";
import { createCheckinActivity } from "./checkin-activity";
import { createScheduleWatch } from "./schedule-watch";
import { createDemoStory } from "./story";
import type { DemoTerminal } from "./terminal";
import type { LoadedConfig } from "../cli/steward-config";

const HOST = "127.0.0.1";
const CLUSTER_NODES = ["node-a", "node-b"] as const;

export interface DemoOptions {
  /** config/demo.yaml text. */
  yaml: string;
  /** Folder relative paths in the config resolve against (the working folder). */
  baseDir: string;
  terminal: DemoTerminal;
  logger: (loaded: LoadedConfig) => Promise<Logger>;
  storyIntervalMs?: number;
  /** Two Stewards on a private PostgreSQL instead of one on SQLite. */
  cluster?: boolean;
  /** Where PostgreSQL's server programs are (default: looked up like the tests do). */
  postgresPrograms?: () => PostgresPrograms;
  /** Free ports the system picks from the first start, none of the preferred ones (a test beside other demos). */
  anyPorts?: boolean;
}

export interface RunningDemo {
  urls: { dashboard: string; steward: string; qrs: string; simControl: string; smtp: string; webhook: string; cloud?: string };
  /** One Steward, or the cluster's two. */
  nodes: DemoNode[];
  sim: Simulator;
  inbox: CaptureInbox;
  postgres?: PrivatePostgres;
  /** Cluster: stops the Steward that leads; returns its name (undefined when nobody leads right now). */
  stopLeader(): Promise<string | undefined>;
  /** Cluster: starts a stopped Steward again; returns its name (undefined when all run). */
  startStopped(): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** Starts with fresh ports this many times when a port found free was taken before the demo listened on it. */
const PORT_ATTEMPTS = 3;

/**
 * The demo, on its preferred ports or free ones. A port is found free, then listened on seconds later (the
 * simulator's certificates are made in between): another program, or a second demo started at the same moment,
 * can take it meanwhile. The demo then stops what it started and tries again on ports picked afresh.
 */
export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  // Before anything is started or wiped: a cluster demo needs PostgreSQL's programs on this machine.
  const programs = o.cluster ? (o.postgresPrograms ?? (() => findPostgresPrograms()))() : undefined;
  for (let attempt = 1; ; attempt++) {
    // After a port was lost, none of the preferred ones: whoever took it goes on to take the others.
    const anyPorts = attempt > 1 || o.anyPorts === true;
    const ports: DemoPorts & Partial<DemoClusterPorts> = o.cluster ? await pickDemoPorts(HOST, true, anyPorts) : await pickDemoPorts(HOST, false, anyPorts);
    try {
      return await startDemoOn(o, ports, programs);
    } catch (err) {
      const taken = portTaken(err);
      if (taken === undefined || attempt >= PORT_ATTEMPTS) throw err;
      o.terminal.note(
        `port ${taken} was taken after the demo found it free (another program started meanwhile); starting again on free ports the system picks …`,
      );
    }
  }
}

/** The port an error says was in use when something listened on it, if it says so (anywhere in its causes). */
export function portTaken(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    // Bun.serve: "Failed to start server. Is port 7442 in use?"
    const inUse = /\bport (\d+) in use\b/i.exec(e.message)?.[1];
    if (inUse) return inUse;
    // node:net and node:dgram: code EADDRINUSE, the port as a property or at the end of "… 127.0.0.1:7425".
    const { code, port } = e as { code?: unknown; port?: unknown };
    if (code === "EADDRINUSE" || /\bEADDRINUSE\b/.test(e.message)) return String(port ?? /:(\d+)\s*$/.exec(e.message)?.[1] ?? "(unknown)");
  }
  return undefined;
}

async function startDemoOn(o: DemoOptions, ports: DemoPorts & Partial<DemoClusterPorts>, programs: PostgresPrograms | undefined): Promise<RunningDemo> {
  const term = o.terminal;
  const single = buildDemoConfig(o.yaml, o.baseDir, ports);
  const { dataDir, certDir, cloudApiKey } = single;
  if (!resetDemoDataDir(dataDir)) {
    throw new AppError("CONFIG_INVALID", `${dataDir} exists and was not created by the demo; move it away or run the demo from another folder`);
  }

  const inbox = createCaptureInbox({ host: HOST, smtpPort: ports.smtp, webhookPort: ports.webhook });
  await inbox.start();
  const cleanups: Array<() => Promise<void> | void> = [() => inbox.stop()];
  const undo = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    let postgres: PrivatePostgres | undefined;
    let configs: Array<{ name: string; loaded: LoadedConfig }> = [{ name: "steward", loaded: runningDemoConfig(single, join(dataDir, "steward.yaml")) }];
    if (programs) {
      term.note("starting a private PostgreSQL for the cluster's shared store …");
      postgres = await startPrivatePostgres({ port: ports.postgres!, programs, prefix: "steward-demo-pg-" });
      cleanups.push(() => postgres!.stop());
      const url = await postgres.createDatabase("steward_demo");
      const own = [
        { httpPort: ports.http, udpPort: ports.udp },
        { httpPort: ports.httpB!, udpPort: ports.udpB! },
      ];
      configs = CLUSTER_NODES.map((name, i) => ({
        name,
        loaded: runningDemoConfig(buildDemoConfig(o.yaml, o.baseDir, ports, { name, ...own[i]!, postgresUrl: url }), join(dataDir, `${name}.yaml`)),
      }));
    }

    term.note("preparing the simulated Qlik Sense site (certificates are generated on the first run) …");
    const sim = await startSimulator({
      certDir,
      qrsPort: ports.qrs,
      enginePort: ports.engine,
      controlPort: ports.simControl,
      versionPort: ports.version,
      cloudPort: ports.cloud,
      ...(cloudApiKey ? { cloudApiKey } : {}),
      // The demo site's runs are 1/20 of the fixture's real-life minutes, its triggers keep real time: the
      // simulator's Scheduler fires them and their chains as QRS says, so the watchdog judges a site that keeps
      // its plan except where the demo breaks it (watchdog-scenes.ts).
      site: buildDemoSite(wallClock.now()),
      schedules: true,
      // In a cluster every datagram goes to both Stewards (as when each node's appender feeds its neighbours
      // too): whichever claims a run first narrates and alerts it. Every node has the Engine's appender file too
      // (`engine`), so a reload from the hub reaches Steward as on a site where it is installed.
      settings: { udp: { engine: true, targets: configs.map((c) => ({ host: HOST, port: c.loaded.config.udp.port })) } },
      log: { info: () => {}, warn: (msg) => term.note(`simulator: ${msg}`) },
    });
    cleanups.push(() => sim.stop());

    const onEvent = (app: StewardApp, e: Parameters<typeof recordLastGoodLoad>[1]) =>
      recordLastGoodLoad(app.http.hono, e)?.catch((err: unknown) => term.note(`key-value write failed: ${String(err)}`));
    // A single Steward's events are not labelled with its name; a cluster's say which Steward claimed them.
    const quiet: DemoTerminal = { ...term, event: (e) => term.event(e) };
    const nodes = configs.map((c) => createDemoNode({ name: c.name, loaded: c.loaded, logger: o.logger, inbox, term: programs ? term : quiet, onEvent }));
    const offInbox = inbox.subscribe((item) => term.delivered(item));
    cleanups.push(() => offInbox());
    cleanups.push(() => Promise.all(nodes.map((n) => n.stop())).then(() => {}));
    // The first one started leads every duty until it stops.
    for (const n of nodes) await n.start();

    const first = nodes[0]!.app()!;
    if (first.scheduler) await createDemoSchedules(first.scheduler, sim.site.tasks);
    // The audit log lives in the shared store: read it through whichever Steward runs.
    const audit = { query: (...args: Parameters<StewardApp["audit"]["query"]>) => (liveApp(nodes) ?? first).audit.query(...args) };
    const watch = createScheduleWatch(audit, term, (id) => sim.site.tasks.find((t) => t.id === id)?.name);
    await watch.start();
    cleanups.push(() => watch.stop());
    if (programs) {
      const clusterWatch = createClusterWatch(nodes, term, DEMO_LEASE_MS);
      await clusterWatch.start();
      cleanups.push(() => clusterWatch.stop());
    }

    const steward = first.server!.url();
    const urls = {
      dashboard: `${steward}/ui`,
      steward,
      qrs: sim.urls.qrs,
      simControl: sim.urls.control,
      ...(sim.urls.cloud ? { cloud: sim.urls.cloud } : {}),
      smtp: `${HOST}:${inbox.smtpPort()}`,
      webhook: `${inbox.webhookUrl()}/hooks/qlik`,
    };
    const story = createDemoStory(sim, term, o.storyIntervalMs !== undefined ? { intervalMs: o.storyIntervalMs } : {});
    cleanups.push(() => story.stop());
    // An ERP job before Qlik checks in with whichever Steward runs (the check-ins are judged once for the site).
    const checkinJob = createCheckinActivity(
      () => liveApp(nodes)?.http.hono,
      (message) => term.note(message),
    );
    cleanups.push(() => checkinJob.stop());
    printBanner(term, urls, dataDir, programs ? { nodes, postgres: postgres! } : undefined);
    story.start();
    checkinJob.start();

    let stopping: Promise<void> | undefined;
    return {
      urls,
      nodes,
      sim,
      inbox,
      ...(postgres ? { postgres } : {}),
      async stopLeader() {
        const leader = leaderNode(nodes);
        if (!leader) return undefined;
        term.note(`stopping ${leader.name}, the leader: the other Steward takes its duties over …`);
        await leader.stop();
        const others = nodes.filter((n) => n !== leader && n.app()).map((n) => n.name);
        term.note(`${leader.name} stopped: its UDP port refuses the simulator's datagrams now, ${others.join(", ") || "nobody"} hears them all`);
        return leader.name;
      },
      async startStopped() {
        const stopped = nodes.find((n) => !n.app());
        if (!stopped) return undefined;
        term.note(`starting ${stopped.name} again …`);
        await stopped.start();
        return stopped.name;
      },
      stop: () => (stopping ??= undo()),
    };
  } catch (err) {
    await undo();
    throw err;
  }
}

function printBanner(term: DemoTerminal, urls: RunningDemo["urls"], dataDir: string, cluster?: { nodes: DemoNode[]; postgres: PrivatePostgres }): void {
  const b = (s: string) => term.paint("bold", s);
  const row = (label: string, value: string) => `  ${label.padEnd(11)} ${value}`;
  const stewards = cluster
    ? [
        ...cluster.nodes.map((n) => row(n.name, `dashboard ${b(`${n.url}/ui`)}   UDP ${HOST}:${n.udpPort}   data ${dataDir}/${n.name}`)),
        row("PostgreSQL", `${cluster.postgres.host}:${cluster.postgres.port} (pid ${cluster.postgres.pid}, data ${cluster.postgres.dir}, removed at exit)`),
      ]
    : [row("Dashboard", b(urls.dashboard)), row("API docs", `${urls.steward}/docs`)];
  const how = cluster
    ? [
        "Both Stewards hear every datagram; each run is claimed, narrated and alerted once, by whichever claims it",
        "first ([node-…] after each event). ⚑ lines say who leads which duty.",
        "Press k to stop the leading Steward and watch the other take over; s starts it again. Without a terminal:",
        `kill -USR2 ${process.pid} stops the leader, the same again restarts it.`,
        "Press Ctrl-C to stop everything (PostgreSQL too).",
      ]
    : ["Press Ctrl-C to stop."];
  term.print(
    [
      "",
      `${b("Steward demo")}: a simulated Qlik Sense site, ${cluster ? "a cluster of two Stewards on PostgreSQL" : "Steward"} and a capture inbox, all on this machine.`,
      "",
      ...stewards,
      row("Simulator", `QRS ${urls.qrs}   control API ${urls.simControl}${urls.cloud ? `   Qlik Cloud tenant ${urls.cloud}` : ""}`),
      row("Inbox", `SMTP ${urls.smtp}   webhook ${urls.webhook}`),
      row("Data", dataDir),
      "",
      "Simulated tasks start in a moment; failures are mailed to qlik-ops@demo.example and the app owner.",
      ...how,
      "",
    ].join("\n"),
  );
}
