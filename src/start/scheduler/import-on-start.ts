// scheduler.importFile: a schedule file beside the config (what `config import-butler --schedules` writes) is
// imported when Steward starts. Each version of the file is imported once (its SHA-256 is kept in the store), and a
// schedule whose id the store already has is left as it is: a schedule deleted over REST does not come back at the
// next start, and two Stewards of a cluster starting together import it once.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Clock } from "../../platform/core/clock";
import type { Component } from "../../platform/core/lifecycle";
import type { Logger } from "../../platform/core/logger";
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";
import type { Scheduler } from "./scheduler";

export const scheduleFileImportMigrations: MigrationSet = {
  module: "scheduler-file-import",
  migrations: [
    {
      version: 1,
      name: "imported schedule files",
      sql: "CREATE TABLE schedule_file_imports (sha256 TEXT PRIMARY KEY, file TEXT NOT NULL, imported_at INTEGER NOT NULL)",
    },
  ],
};

export interface ScheduleFileImportDeps {
  scheduler: Scheduler;
  db: SqlDb;
  clock: Clock;
  log: Logger;
}

export type ScheduleFileOutcome =
  | { kind: "imported"; imported: number; skipped: number }
  | { kind: "unchanged" }
  | { kind: "missing"; message: string }
  | { kind: "invalid"; message: string };

export function createScheduleFileImport(file: string, deps: ScheduleFileImportDeps): Component & { last(): ScheduleFileOutcome | undefined } {
  let outcome: ScheduleFileOutcome | undefined;
  const run = async (): Promise<ScheduleFileOutcome> => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      return { kind: "missing", message: `scheduler.importFile: cannot read ${file} (${(err as Error).message}); no schedules were imported from it` };
    }
    const sha = createHash("sha256").update(text).digest("hex");
    if (await deps.db.get("SELECT 1 AS one FROM schedule_file_imports WHERE sha256 = ?", [sha])) return { kind: "unchanged" };
    try {
      const report = await deps.scheduler.importButler(text, file, "skip", { kind: "system", name: "scheduler.importFile" });
      await deps.db.run("INSERT INTO schedule_file_imports (sha256, file, imported_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING", [
        sha,
        file,
        deps.clock.now(),
      ]);
      return { kind: "imported", imported: report.imported.length, skipped: report.skipped.length };
    } catch (err) {
      return { kind: "invalid", message: `scheduler.importFile: ${file} was not imported:\n${(err as Error).message}` };
    }
  };
  return {
    name: "schedule-file-import",
    async start() {
      outcome = await run();
      if (outcome.kind === "imported") deps.log.info({ file, ...outcome }, "imported the schedule file");
      else if (outcome.kind !== "unchanged") deps.log.error({ file }, outcome.message);
    },
    async stop() {},
    last: () => outcome,
  };
}
