// `steward run`: load config, build the app, start it, and stop it cleanly on SIGINT/SIGTERM.
import type { StewardApp } from "../../app";
import { readFileSync } from "node:fs";
import { defaultConfig, type LoadedConfig, stewardConfigReader } from "./steward-config";
import { envPlaceholderNames, unusedStewardVariables } from "../../platform/config/env-overrides";
import { AppError, describeError } from "../../platform/core/errors";
import { portInUseLine } from "./port-in-use";
import { installLastResortGuard } from "../../platform/core/last-resort";
import type { Logger } from "../../platform/core/logger";
import type { RunFlags } from "./config-resolve";
import { lookupConfig } from "./config-lookup";
import { loadCheckedConfig } from "./config-problems";
import { loggerFor } from "./logging";
import { runtime } from "../../platform/runtime";
import type { Clock } from "../../platform/core/clock";

// Read through run.ts by the tests and the service that start the app the way `run` does.
export { resolveConfig, type RunFlags } from "./config-resolve";

/** The config `run` starts with: refused, with every problem, on whatever `config check` refuses. */
export function resolveCheckedConfig(flags: RunFlags): LoadedConfig {
  const found = lookupConfig(flags.config);
  return found.file ? loadCheckedConfig(found.file) : defaultConfig();
}

export async function runCommand(flags: RunFlags): Promise<number> {
  const loaded = resolveCheckedConfig(flags);
  const log = await loggerFor(loaded.config, flags, loaded.secrets);
  installLastResortGuard(log);
  log.info({ config: loaded.file ?? "(built-in defaults)", dataDir: loaded.config.dataDir }, "starting Steward");
  warnUnusedVariables(loaded, log);
  const app = await wireApp(loaded, log);
  return runUntilSignal(app, log, undefined, (err) => portInUseLine(err, loaded));
}

/**
 * A STEWARD_… variable that sets nothing is named once at start: likely a typo of a setting (a single underscore
 * where a section needs two), or left by another tool. It is otherwise ignored.
 */
function warnUnusedVariables(loaded: LoadedConfig, log: Logger): void {
  let text = "";
  try {
    text = loaded.file ? readFileSync(loaded.file, "utf8") : "";
  } catch {
    // Already read once to load it; a file gone since then names no placeholder.
  }
  const unused = unusedStewardVariables(process.env, stewardConfigReader.topLevelKeys(), envPlaceholderNames(text));
  if (unused.length > 0)
    log.warn(
      { variables: unused },
      `environment variable${unused.length > 1 ? "s" : ""} ${unused.join(", ")} set${unused.length > 1 ? "" : "s"} nothing: a setting is STEWARD_<SECTION>__<KEY> (two underscores, e.g. STEWARD_HTTP__PORT) or a top-level name (STEWARD_DATA_DIR); a name only a \${env:…} placeholder uses must appear in the config`,
    );
}

/**
 * The app of `run` and the Windows service, wired after what reading the config left is collected
 * (runtime.collectBeforeWiring). The app's modules (every wing) load here, after the config was accepted: a refused
 * config is told without loading them.
 */
export async function wireApp(loaded: LoadedConfig, log: Logger): Promise<StewardApp> {
  const { createApp } = await import("../../app");
  runtime.collectBeforeWiring();
  return createApp(loaded, { log });
}

/** Logs where the dashboard is, once the listener runs (also for the Windows service, in its log file). */
export function logDashboardUrl(app: StewardApp, log: Logger): void {
  if (!app.server) return;
  // The address it listens on (0.0.0.0 shown as 127.0.0.1), and the one people use when http.publicUrl says so.
  const url = `${app.server.url()}/ui`;
  const publicUrl = app.config.http.publicUrl ? `${app.config.http.publicUrl.replace(/\/+$/, "")}/ui` : undefined;
  log.info({ url, ...(publicUrl ? { publicUrl } : {}) }, `dashboard: ${publicUrl ?? url}`);
}

/**
 * What only the start needed is given back a moment after it (runtime.releaseStartupMemory): by then the compiles the
 * start queued and the modules' first timers have run, so what they leave is given back too (called at once, a loaded
 * machine sometimes left it all in place). Returns a cancel for a stop within that moment.
 */
export function releaseStartupMemorySoon(clock: Clock, afterMs = RELEASE_AFTER_MS): () => void {
  const timer = clock.setTimeout(() => runtime.releaseStartupMemory(), afterMs);
  timer.unref?.();
  return () => clock.clearTimeout(timer);
}

const RELEASE_AFTER_MS = 2_000;

/**
 * Starts the app and resolves with the exit code once a signal has stopped it. `asConfigProblem`: a start error that
 * is the config's (a taken port) as one `file:line:col key: message` line, thrown as CONFIG_INVALID (exit 2).
 */
export async function runUntilSignal(
  app: StewardApp,
  log: Logger,
  extraStop?: () => Promise<void>,
  asConfigProblem?: (err: unknown) => string | undefined,
): Promise<number> {
  try {
    await app.start();
  } catch (err) {
    log.fatal({ err: describeError(err) }, "Steward could not start");
    await app.stop();
    const line = asConfigProblem?.(err);
    if (line) throw new AppError("CONFIG_INVALID", line);
    return 1;
  }
  logDashboardUrl(app, log);
  const cancelRelease = releaseStartupMemorySoon(app.clock);
  log.info("Steward is running; stop with Ctrl-C or SIGTERM");
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      cancelRelease();
      log.info({ signal }, "stopping: intake first, then draining in-flight work");
      try {
        await extraStop?.();
        await app.stop(10_000);
        log.info("stopped cleanly");
        resolve(0);
      } catch (err) {
        log.error({ err: describeError(err) }, "error while stopping");
        resolve(1);
      }
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
    // SIGHUP reloads the config file (Windows has no SIGHUP: use POST /v4/admin/reload there).
    if (process.platform !== "win32") {
      process.on("SIGHUP", () => {
        if (!stopping) app.reloader.reload("SIGHUP", { kind: "system", name: "SIGHUP" }).catch(() => undefined);
      });
    }
  });
}
