// `steward config import-butler BUTLER.yaml [--schedules FILE] [--out FILE] [--force]`: converts a Butler config
// into a Steward config, checks it against the schema, and lists every Butler key that was not converted and
// why. With --schedules and --out, Butler's schedules are written beside the new config (<name>.schedules.yaml)
// and the config names that file (scheduler.importFile), so they travel with it to the new server.
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { convertButlerConfig, renderConfig, renderReport } from "../../platform/config/butler-import";
import { parseConfigText } from "./steward-config";
import { checkNotifyConfig } from "../../tell/notify/check";
import { butlerTimezoneNote, parseButlerScheduleFile } from "../../start/scheduler/butler-import";
import { systemTimezone } from "../../start/scheduler/scheduler";
import { renderScheduleFile } from "../../start/scheduler/schedule-file";
import { UsageError } from "./usage";

export const IMPORT_BUTLER_HELP = `Usage: steward config import-butler BUTLER.yaml [--out FILE] [--schedules FILE] [--force]

Converts a Butler config file into a Steward config: channels and routes from the alert blocks, the file
allow-lists, MQTT, InfluxDB, UDP, the Qlik Sense connection, service monitoring, heartbeat. The result is
validated before it is written (to --out, else to stdout) and the report lists every Butler key that was not
converted, and why. --schedules FILE (Butler's schedule file) is checked, and with --out written beside the
new config as <name>.schedules.yaml, which the config names (scheduler.importFile): copy both files to the new
server and Steward imports the schedules when it starts.`;

export async function importButlerCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { out: { type: "string" }, schedules: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    out(IMPORT_BUTLER_HELP);
    return 0;
  }
  const [file, extra] = positionals;
  if (!file || extra) throw new UsageError("config import-butler: expected one Butler config file");
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      throw new UsageError(`config import-butler: cannot read ${what}${path}: ${(e as Error).message}`);
    }
  };
  const text = read(file, "");
  // Fails with FILE:LINE:COL messages before anything is written.
  const schedules = values.schedules
    ? parseButlerScheduleFile(read(values.schedules, "the --schedules file "), values.schedules, systemTimezone(), Date.now)
    : [];
  const target = values.out ? resolve(values.out) : undefined;
  const schedulesOut = target && values.schedules ? join(dirname(target), `${basename(target).replace(/\.ya?ml$/i, "")}.schedules.yaml`) : undefined;
  const result = convertButlerConfig(text, file, {
    ...(values.schedules ? { schedulesFile: values.schedules } : {}),
    ...(schedulesOut ? { schedulesImportFile: `./${basename(schedulesOut)}` } : {}),
  });
  const zoneNote = butlerTimezoneNote(schedules, systemTimezone(), Date.now());
  if (zoneNote) result.report.review.push(zoneNote);
  const baseDir = target ? dirname(target) : process.cwd();
  // The converted config must load exactly as `steward config check` would load it; what the deeper check finds
  // (missing CA files, templates) is for the admin to fix on the target machine before Steward starts.
  const loaded = parseConfigText(renderConfig(result, basename(file)), target ?? "converted.yaml", baseDir, { env: {} });
  for (const p of checkNotifyConfig(loaded.config, baseDir)) result.report.actions.push(`Before starting: ${p}`);
  const yaml = renderConfig(result, basename(file));
  const report = renderReport(result.report);
  if (!target) {
    out(yaml.trimEnd());
    err(report);
    // Only --out writes the schedule file beside the config: said, so the schedules are not thought to be in the YAML.
    if (values.schedules)
      err(
        `\nThe ${schedules.length} schedules of ${values.schedules} were checked, not written: give --out to write them beside the config, or import them with steward schedules import ${values.schedules}`,
      );
    return 0;
  }
  for (const f of [target, ...(schedulesOut ? [schedulesOut] : [])])
    if (existsSync(f) && !values.force) throw new UsageError(`config import-butler: ${f} exists; use --force to overwrite it`);
  // The file may hold the SMTP, InfluxDB and MQTT passwords copied from Butler: readable by its owner only (an
  // existing file overwritten with --force keeps its old mode unless it is set again).
  writeFileSync(target, yaml, { mode: 0o600 });
  if (process.platform !== "win32") chmodSync(target, 0o600);
  out(`wrote ${target}\n`);
  if (schedulesOut) {
    const note = `Butler's schedules from ${basename(values.schedules!)}, converted by steward config import-butler.\nSteward imports this file when it starts (scheduler.importFile in ${basename(target)}); keep the two files together.`;
    writeFileSync(schedulesOut, renderScheduleFile(schedules, note));
    out(`wrote ${schedulesOut} (${schedules.length} schedules; imported by Steward when it starts)\n`);
  }
  out(report);
  return 0;
}
