// `steward schedules import FILE`: imports Butler's schedule file into the store of a stopped Steward (a
// running one holds the store lock; then use POST /v4/schedules/import).
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { auditMigrations, createAuditLog } from "../audit/audit-log";
import { resolveConfig } from "../cli/run";
import { UsageError } from "../cli/usage";
import { createEventBus } from "../core/bus";
import { systemClock } from "../core/clock";
import { AppError } from "../core/errors";
import { createSilentLogger } from "../core/logger";
import { createMetricsRegistry } from "../core/metrics";
import type { DomainEvents } from "../events/types";
import { openStore } from "../store/database";
import { schedulerMigrations } from "./migrations";
import { createScheduler } from "./scheduler";

export const SCHEDULES_HELP = `Usage: steward schedules import FILE [--config FILE] [--replace]

Imports Butler's schedule file (YAML, root key butlerSchedule) into Steward's store. Ids, creation times and
each schedule's last known state (started/stopped) are kept. Existing schedules with the same id are skipped,
or replaced with --replace. Nothing is imported unless every entry is valid; problems are printed as
FILE:LINE:COL path: message. Steward must be stopped (while it runs, use POST /v4/schedules/import).`;

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
  let store;
  try {
    store = openStore(loaded.config.dataDir, [auditMigrations, schedulerMigrations]);
  } catch (err) {
    if (err instanceof AppError && err.code === "STORE_LOCKED") {
      throw new AppError("STORE_LOCKED", `${err.message}\nWhile Steward runs, import with: curl -X POST --data-binary @${basename(file)} http://HOST:PORT/v4/schedules/import`, { cause: err });
    }
    throw err;
  }
  try {
    const log = createSilentLogger();
    const scheduler = createScheduler(loaded.config.scheduler, {
      db: store.sql,
      clock: systemClock,
      log,
      audit: createAuditLog(store.sql, systemClock),
      metrics: createMetricsRegistry(),
      bus: createEventBus<DomainEvents>(log),
      // Never started here: the import only writes the store; the running service arms the schedules.
      taskStarter: { start: () => Promise.reject(new AppError("UNAVAILABLE", "the schedules command does not start tasks")) },
    });
    const report = await scheduler.importButler(text, file, values.replace ? "replace" : "skip", { kind: "cli", name: userInfo().username });
    for (const s of report.imported) out(`imported ${s.id}  ${s.lastKnownState.padEnd(7)}  ${s.cronSchedule ?? ""}  ${s.timezone}  ${s.name}`);
    for (const s of report.skipped) out(`skipped  ${s.id}  (${s.reason})`);
    out(`${report.imported.length} imported (${report.replaced.length} replaced), ${report.skipped.length} skipped, into ${store.file}`);
    return 0;
  } catch (err) {
    if (err instanceof AppError && err.code === "BAD_REQUEST") {
      console.error(err.message);
      return 2;
    }
    throw err;
  } finally {
    store.close();
  }
}
