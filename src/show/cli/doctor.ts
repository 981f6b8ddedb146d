// `steward doctor`: the config checked as `run` would check it, then every dependency it names tried for real, one
// line each. Safe beside a running Steward: it sends no alert and changes nothing (the UDP port in use is expected).
import { parseArgs } from "node:util";
import { collectConfigProblems } from "./config-problems";
import { lookupConfig } from "./config-lookup";
import { DOCTOR_HELP } from "./doctor-help";
import { defaultConfig, type LoadedConfig } from "./steward-config";
import { UsageError } from "./usage";
import { createSilentLogger } from "../../platform/core/logger";
import { doctorProbes } from "../doctor/from-config";
import { renderDoctor, runDoctor } from "../doctor/run-doctor";
import type { DoctorLine } from "../doctor/types";

/** The config line, and the config to probe (none when the file cannot be read at all). */
function configLine(flag: string | undefined): { line: DoctorLine; loaded?: LoadedConfig } {
  const found = lookupConfig(flag);
  if (!found.file) return { line: { check: "config", ok: true, detail: "no config file: the built-in defaults (nothing to try)" }, loaded: defaultConfig() };
  const c = collectConfigProblems(found.file);
  if (c.problems.length === 0)
    return { line: { check: "config", ok: true, detail: `${found.file} (${found.via}) has no problem` }, ...(c.loaded ? { loaded: c.loaded } : {}) };
  return {
    line: {
      check: "config",
      ok: false,
      detail: `${found.file}: ${c.problems.length} problem(s), and steward run refuses it:\n${c.problems.map((p) => `        ${p}`).join("\n")}`,
      fix: `Correct each line above (steward config check ${found.file} lists the same); the checks below use what could be read.`,
    },
    ...(c.loaded ? { loaded: c.loaded } : {}),
  };
}

export async function doctorCommand(argv: string[], out: (s: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { config: { type: "string", short: "c" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    out(DOCTOR_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`doctor: unexpected argument ${positionals[0]}\n\n${DOCTOR_HELP}`);
  const { line, loaded } = configLine(values.config);
  const lines: DoctorLine[] = [line];
  if (loaded) {
    const { probes, close } = doctorProbes(loaded.config, loaded.baseDir, createSilentLogger());
    try {
      lines.push(...(await runDoctor(probes)));
    } finally {
      close();
    }
  }
  out(values.json ? JSON.stringify({ ok: lines.every((l) => l.ok), checks: lines }, null, 2) : renderDoctor(lines));
  return lines.every((l) => l.ok) ? 0 : 1;
}
