// The Windows service process (`steward service run`, started by the SCM): logs to a rolling file and the event
// log, starts the app when the SCM says so and stops it on STOP/SHUTDOWN. Also the status helpers of
// `steward service start|stop|status` on both platforms.
import { installLastResortGuard } from "../../platform/core/last-resort";
import { join } from "node:path";
import type { StewardApp } from "../../app";
import type { LoadedConfig } from "./steward-config";
import { collectConfigProblems } from "./config-problems";
import { AppError, describeError } from "../../platform/core/errors";
import { createLogger, type LogLevel } from "../../platform/core/logger";
import { createSecretRegistry } from "../../platform/core/redaction";
import type { CommandRunner } from "../../watch/services/command-runner";
import { createRollingFile } from "../../watch/services/install/rolling-file";
import { openEventLog, type EventLevel } from "../../watch/services/install/windows-event-log";
import { runAsWindowsService } from "../../watch/services/install/windows-scm";
import { logDashboardUrl, releaseStartupMemorySoon, wireApp } from "./run";
import { scArgs } from "../../watch/services/probe";
import { parseScQc, parseScQuery } from "../../watch/services/sc-parse";
import { parseSystemctlShow, SYSTEMCTL_PROPERTIES } from "../../watch/services/systemd-parse";
import { sleep } from "../../platform/runtime";

const EVENT_LEVEL: Record<string, EventLevel | undefined> = { warn: "warn", error: "error", fatal: "error" };

export async function serviceRun(o: { configFile: string; name: string; logLevel?: string }): Promise<number> {
  // The config is read again at every service start; an error is reported to the SCM as a failed start.
  const secrets = createSecretRegistry();
  // What `config check` refuses, the service refuses: a failed start with every problem in its log and the event
  // log. The config as far as it could be read still says where the log goes (its data folder).
  let loaded: LoadedConfig | undefined;
  let loadError: unknown;
  try {
    const c = collectConfigProblems(o.configFile, { secrets });
    loaded = c.loaded;
    if (c.problems.length > 0 || !c.loaded) loadError = new AppError("CONFIG_INVALID", c.problems.join("\n"), { details: c.problems });
  } catch (err) {
    loadError = err;
  }
  const logDir = loaded ? join(loaded.config.dataDir, "logs") : join(process.cwd(), "logs");
  const file = createRollingFile(join(logDir, "steward.log"));
  const events = await openEventLog(o.name).catch(() => undefined);
  const log = createLogger({
    level: (o.logLevel ?? loaded?.config.logging.level ?? "info") as LogLevel,
    format: "json",
    secrets,
    write(line) {
      file.write(line);
      const level = /"level":"(\w+)"/.exec(line)?.[1];
      const ev = level ? EVENT_LEVEL[level] : undefined;
      if (ev && events) events.write(ev, eventText(line));
    },
  });
  installLastResortGuard(log);
  let app: StewardApp | undefined;
  const code = await runAsWindowsService(o.name, {
    async start() {
      if (loadError || !loaded) throw loadError;
      log.info({ config: loaded.file, dataDir: loaded.config.dataDir, service: o.name }, "starting Steward as a Windows service");
      app = await wireApp(loaded, log);
      try {
        await app.start();
      } catch (err) {
        await app.stop(5_000).catch(() => undefined);
        throw err;
      }
      logDashboardUrl(app, log);
      releaseStartupMemorySoon(app.clock);
      events?.write("info", `Steward started (config ${loaded.file}).`);
    },
    async stop() {
      await app?.stop(15_000);
      log.info("Steward stopped cleanly");
      events?.write("info", "Steward stopped.");
    },
    note(message, details) {
      if (/failed|not started/.test(message)) log.error(details ?? {}, message);
      else log.info(details ?? {}, message);
    },
  });
  if (loadError) log.fatal({ err: describeError(loadError) }, "Steward could not start: config error");
  file.close();
  events?.close();
  return code;
}

function eventText(line: string): string {
  try {
    const { msg, level: _l, time: _t, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const extra = Object.keys(rest).length ? `\n${JSON.stringify(rest, null, 2)}` : "";
    return `${String(msg ?? "")}${extra}`;
  } catch {
    return line;
  }
}

export interface ServiceStateReport {
  ok: boolean;
  state?: string;
  text: string;
}

/**
 * The service's state and, for `status`, how it starts and as whom. `stateOnly` (the waits after a start or stop,
 * which read only the state) leaves out Windows' second sc.exe call (`sc qc`): each is a process, and a wait polls
 * every half second.
 */
export async function serviceState(run: CommandRunner, platform: "windows" | "linux", name: string, stateOnly = false): Promise<ServiceStateReport> {
  if (platform === "windows") {
    const q = await run("sc.exe", scArgs("localhost", "query", name), { timeoutMs: 20_000 });
    const s = parseScQuery(q.stdout + q.stderr, q.code);
    if (!s.ok) return { ok: false, text: s.kind === "not_found" ? "not installed" : `${s.kind}: ${s.message}` };
    if (stateOnly) return { ok: true, state: s.state, text: s.state };
    const c = await run("sc.exe", scArgs("localhost", "qc", name), { timeoutMs: 20_000 });
    const cfg = parseScQc(c.stdout + c.stderr, c.code);
    const more = cfg.ok ? ` (start ${cfg.startType.toLowerCase()}${cfg.account ? `, runs as ${cfg.account}` : ""})` : "";
    return { ok: true, state: s.state, text: `${s.state}${more}` };
  }
  const r = await run("systemctl", ["show", `${name}.service`, `--property=${SYSTEMCTL_PROPERTIES}`, "--no-pager"], { timeoutMs: 20_000 });
  const s = parseSystemctlShow(`${name}.service`, r.stdout + (r.code ? r.stderr : ""), r.code);
  if (!s.ok) return { ok: false, text: s.kind === "not_found" ? "not installed" : `${s.kind}: ${s.message}` };
  return { ok: true, state: s.state, text: `${s.state} (${s.detail}${s.startType ? `, start ${s.startType.toLowerCase()}` : ""})` };
}

/** Polls until the service reaches `want` (or a settled other state), at most `timeoutMs`. */
export async function waitForState(run: CommandRunner, platform: "windows" | "linux", name: string, want: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "unknown";
  for (let polls = 1; Date.now() < deadline; polls++) {
    const s = await serviceState(run, platform, name, true);
    last = s.state ?? s.text;
    if (s.state === want) return last;
    // Settled elsewhere (e.g. STOPPED after a failed start) for a few polls: that is the answer.
    if (polls >= 4 && !(s.state ?? "").endsWith("PENDING")) return last;
    await sleep(500);
  }
  return last;
}
