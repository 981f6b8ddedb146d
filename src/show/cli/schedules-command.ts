// `steward schedules import FILE`: imports Butler's schedule file into Steward's store — the data folder of a
// stopped Steward (a running one holds its lock; then use POST /v4/schedules/import), or, with store.postgres,
// the shared PostgreSQL store the running cluster uses (its scheduler leader picks the schedules up).
import { readFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { parseArgs } from "node:util";
import { auditMigrations, createAuditLog } from "../../platform/audit/audit-log";
import { resolveConfig } from "./config-resolve";
import { localUrl } from "./steward-client";
import { UsageError } from "./usage";
import { createEventBus } from "../../platform/core/bus";
import { systemClock } from "../../platform/core/clock";
import { AppError } from "../../platform/core/errors";
import { createSilentLogger } from "../../platform/core/logger";
import { createMetricsRegistry } from "../../platform/core/metrics";
import type { DomainEvents } from "../../platform/events/types";
import type { LoadedConfig } from "./steward-config";
import { bumpPeerEpoch } from "../../platform/cluster/peer-poll";
import { createClusterStore } from "../../platform/store/cluster-store";
import { openStore } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";
import { STORE_MIGRATIONS } from "../../store-migrations";
import { schedulerMigrations } from "../../start/scheduler/migrations";
import { createScheduler } from "../../start/scheduler/scheduler";

export const SCHEDULES_HELP = `Usage: steward schedules import FILE [--config FILE] [--replace]

Imports Butler's schedule file (YAML, root key butlerSchedule) into Steward's store. Ids, creation times and
each schedule's last known state (started/stopped) are kept; an entry without an id gets one derived from its
name, cron, time zone and task, so importing the same file again finds the same ids. Existing schedules with
the same id are skipped, or replaced with --replace. Nothing is imported unless every entry is valid; problems
are printed as FILE:LINE:COL path: message.

Single Steward: Steward must be stopped (while it runs, use POST /v4/schedules/import).
With store.postgres: the schedules go to the shared PostgreSQL store, also while the cluster runs; the
Steward leading the scheduler arms them within seconds. Import on one node; importing on another too skips
what is there.`;

export async function schedulesCommand(argv: string[], out: (s: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { config: { type: "string", short: "c" }, replace: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    out(SCHEDULES_HELP);
    return 0;
  }
  const [sub, file, ...extra] = positionals;
  if (sub !== "import" || !file || extra.length) throw new UsageError(`schedules: expected 'import FILE', got '${positionals.join(" ")}'`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`schedules import: cannot read ${file}: ${(err as Error).message}`);
  }
  const loaded = resolveConfig(values.config ? { config: values.config } : {});
  const store = loaded.config.store.postgres ? await openSharedStore(loaded) : openLocalStore(loaded, file, values.replace === true);
  try {
    const log = createSilentLogger();
    const audit = createAuditLog(store.sql, systemClock);
    const scheduler = createScheduler(loaded.config.scheduler, {
      db: store.sql,
      clock: systemClock,
      log,
      audit,
      metrics: createMetricsRegistry(),
      bus: createEventBus<DomainEvents>(log),
      // Never started here: the import only writes the store; the running service arms the schedules.
      taskStarter: { start: () => Promise.reject(new AppError("UNAVAILABLE", "the schedules command does not start tasks")) },
    });
    const report = await scheduler.importButler(text, file, values.replace ? "replace" : "skip", { kind: "cli", name: userInfo().username });
    await audit.flush();
    // A Steward alone in the cluster re-reads the schedules only when told something changed: the peer epoch.
    if (report.imported.length > 0) await store.written?.();
    for (const s of report.imported) out(`imported ${s.id}  ${s.lastKnownState.padEnd(7)}  ${s.cronSchedule ?? ""}  ${s.timezone}  ${s.name}`);
    for (const s of report.skipped) out(`skipped  ${s.id}  (${s.reason})`);
    out(`${report.imported.length} imported (${report.replaced.length} replaced), ${report.skipped.length} skipped, into ${store.where}`);
    return 0;
  } catch (err) {
    if (err instanceof AppError && err.code === "BAD_REQUEST") {
      console.error(err.message);
      return 2;
    }
    throw err;
  } finally {
    await store.close();
  }
}

interface ImportTarget {
  sql: SqlDb;
  /** Where the schedules went, for the summary line. */
  where: string;
  /** The shared store: tells the running cluster that schedules were written (src/platform/cluster/peer-poll.ts). */
  written?(): Promise<void>;
  close(): Promise<void>;
}

/** The data folder's SQLite file: only while no Steward runs on it (the lock says so). */
function openLocalStore(loaded: LoadedConfig, file: string, replace: boolean): ImportTarget {
  try {
    const store = openStore(loaded.config.dataDir, [auditMigrations, schedulerMigrations]);
    return { sql: store.sql, where: store.file, close: async () => store.close() };
  } catch (err) {
    if (err instanceof AppError && err.code === "STORE_LOCKED") {
      throw new AppError("STORE_LOCKED", `${err.message}\n${importWhileRunning(loaded, file, replace)}`, { cause: err });
    }
    throw err;
  }
}

const KEY_HEADER = '-H "X-API-Key: <an API key with the schedules scope>"';

/**
 * The curl command that imports through the running Steward, at the address its config gives. Where the key goes
 * is a placeholder: the config keeps only hashes, and a real key has no place in a terminal's scrollback.
 */
function importWhileRunning(loaded: LoadedConfig, file: string, replace: boolean): string {
  const { security, http } = loaded.config;
  const url = `${localUrl(http)}/v4/schedules/import${replace ? "?onConflict=replace" : ""}`;
  const withKey = security.apiKeys.length > 0;
  const lines = [
    "While Steward runs, import through its API:",
    // Windows PowerShell 5.1 takes a bare curl for its own Invoke-WebRequest.
    `  ${process.platform === "win32" ? "curl.exe" : "curl"} -X POST --data-binary ${shellWord(`@${file}`)}${withKey ? ` ${KEY_HEADER}` : ""} "${url}"`,
  ];
  // Keys made at run time live in the store, which the lock keeps this command from reading.
  if (!withKey && security.storeKeys) lines.push(`  (if API keys were made with POST /v4/admin/apikeys, add ${KEY_HEADER})`);
  return lines.join("\n");
}

/**
 * A word for the shell the command is pasted into: double quotes, which sh, cmd and PowerShell all read, when the
 * word needs them, and always on Windows, where PowerShell takes a bare @word for splatting.
 */
function shellWord(text: string): string {
  return process.platform !== "win32" && /^[\w@%+=:,./-]+$/.test(text) ? text : `"${text}"`;
}

/**
 * The cluster's PostgreSQL store, connected and migrated as a Steward does at start (the same tables, so an
 * import before the first Steward ever ran is fine). The local data folder is not touched: a Steward running on
 * this node keeps its lock, and the cluster's scheduler leader reads new schedules within its sync interval.
 */
async function openSharedStore(loaded: LoadedConfig): Promise<ImportTarget> {
  const pg = loaded.config.store.postgres!;
  const instance = `${pg.instanceName ?? hostname()} (schedules import)`;
  const store = createClusterStore(pg, loaded.baseDir, STORE_MIGRATIONS, instance);
  await store.component.start();
  return {
    sql: store.db,
    where: `the shared PostgreSQL store ${describePostgresUrl(pg.url)} (store.postgres)`,
    written: () => bumpPeerEpoch(store.db),
    close: () => Promise.resolve(store.component.stop(5_000)),
  };
}

/** host:port/database of a connection URL, without the user or password. */
function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "(url not shown)";
  }
}
