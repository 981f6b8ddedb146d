// `steward demo` in one process: the Qlik Sense simulator (default site), Steward on config/demo.yaml, and the
// capture inbox; a story starts simulated tasks and the terminal narrates events and delivered alerts.
import type { Logger } from "pino";
import { createApp, type StewardApp } from "../app";
import { AppError } from "../core/errors";
import { startSimulator, type Simulator } from "../sim";
import { createCaptureInbox, type CaptureInbox } from "./capture-inbox";
import { buildDemoConfig } from "./demo-config";
import { createDemoSchedules } from "./demo-schedules";
import { resetDemoDataDir } from "./data-dir";
import { pickDemoPorts } from "./ports";
import { recordLastGoodLoad } from "./kv-activity";
import { createScheduleWatch } from "./schedule-watch";
import { createDemoStory } from "./story";
import type { DemoTerminal } from "./terminal";
import type { LoadedConfig } from "../config/load";

const HOST = "127.0.0.1";

export interface DemoOptions {
  /** config/demo.yaml text. */
  yaml: string;
  /** Folder relative paths in the config resolve against (the working folder). */
  baseDir: string;
  terminal: DemoTerminal;
  logger: (loaded: LoadedConfig) => Logger;
  storyIntervalMs?: number;
}

export interface RunningDemo {
  urls: { dashboard: string; steward: string; qrs: string; simControl: string; smtp: string; webhook: string };
  app: StewardApp;
  sim: Simulator;
  inbox: CaptureInbox;
  stop(): Promise<void>;
}

export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  const term = o.terminal;
  const ports = await pickDemoPorts(HOST);
  const { loaded, dataDir, certDir } = buildDemoConfig(o.yaml, o.baseDir, ports);
  if (!resetDemoDataDir(dataDir)) {
    throw new AppError("CONFIG_INVALID", `${dataDir} exists and was not created by the demo; move it away or run the demo from another folder`);
  }
  const log = o.logger(loaded);

  const inbox = createCaptureInbox({ host: HOST, smtpPort: ports.smtp, webhookPort: ports.webhook });
  await inbox.start();
  const cleanups: Array<() => Promise<void> | void> = [() => inbox.stop()];
  const undo = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    term.note("preparing the simulated Qlik Sense site (certificates are generated on the first run) …");
    const sim = await startSimulator({
      certDir,
      qrsPort: ports.qrs,
      enginePort: ports.engine,
      controlPort: ports.simControl,
      versionPort: ports.version,
      schedules: false,
      // Fixture durations are real-life minutes; runs started through QRS (Steward's schedules) play at 1/20.
      settings: { udp: { targets: [{ host: HOST, port: ports.udp }] }, timing: { timeScale: 0.05 } },
      log: { info: () => {}, warn: (msg) => term.note(`simulator: ${msg}`) },
    });
    cleanups.push(() => sim.stop());

    const app = createApp(loaded, { log });
    app.dashboard.attachInbox(inbox);
    const offEvents = app.dashboard.timeline.subscribe((e) => {
      term.event(e);
      recordLastGoodLoad(app.http.hono, e)?.catch((err: unknown) => term.note(`key-value write failed: ${String(err)}`));
    });
    const offInbox = inbox.subscribe((item) => term.delivered(item));
    cleanups.push(() => {
      offEvents();
      offInbox();
    });
    try {
      await app.start();
    } catch (err) {
      await app.stop();
      throw err;
    }
    cleanups.push(() => app.stop(10_000));
    if (app.scheduler) await createDemoSchedules(app.scheduler, sim.site.tasks);
    const watch = createScheduleWatch(app.audit, term, (id) => sim.site.tasks.find((t) => t.id === id)?.name);
    await watch.start();
    cleanups.push(() => watch.stop());

    const steward = app.server!.url();
    const urls = {
      dashboard: `${steward}/ui`,
      steward,
      qrs: sim.urls.qrs,
      simControl: sim.urls.control,
      smtp: `${HOST}:${inbox.smtpPort()}`,
      webhook: `${inbox.webhookUrl()}/hooks/qlik`,
    };
    const story = createDemoStory(sim, term, o.storyIntervalMs !== undefined ? { intervalMs: o.storyIntervalMs } : {});
    cleanups.push(() => story.stop());
    printBanner(term, urls, dataDir);
    story.start();

    let stopping: Promise<void> | undefined;
    return { urls, app, sim, inbox, stop: () => (stopping ??= undo()) };
  } catch (err) {
    await undo();
    throw err;
  }
}

function printBanner(term: DemoTerminal, urls: RunningDemo["urls"], dataDir: string): void {
  const b = (s: string) => term.paint("bold", s);
  const row = (label: string, value: string) => `  ${label.padEnd(11)} ${value}`;
  term.print(
    [
      "",
      `${b("Steward demo")}: a simulated Qlik Sense site, Steward and a capture inbox, all on this machine.`,
      "",
      row("Dashboard", b(urls.dashboard)),
      row("API docs", `${urls.steward}/docs`),
      row("Simulator", `QRS ${urls.qrs}   control API ${urls.simControl}`),
      row("Inbox", `SMTP ${urls.smtp}   webhook ${urls.webhook}`),
      row("Data", dataDir),
      "",
      "Simulated tasks start in a moment; failures are mailed to qlik-ops@demo.example and the app owner.",
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );
}
