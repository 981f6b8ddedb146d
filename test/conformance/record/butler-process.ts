// The real Butler as a child process for the recordings: its config (test/fixtures/butler-16.0.4/recording-config.yaml
// with the ports and folders of this run filled in), started on Node and ready once its REST API answers.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Simulator } from "../../../src/sim";
import { startProcess, type RunningProcess } from "../../helpers/child-process";
import { waitForHttp } from "../../helpers/wait-for";
import { CORPUS_DIR } from "../corpus";

export const RECORDING_CONFIG = join(CORPUS_DIR, "recording-config.yaml");

/** The recording config with `'{NAME}'` placeholders filled in: ports as numbers, the rest as text. */
export function recordingConfig(vars: Record<string, string>): string {
  return readFileSync(RECORDING_CONFIG, "utf8")
    .replace(/'\{([A-Z_]+)\}'/g, (m, name: string) => {
      const v = vars[name];
      return v === undefined ? m : /^\d+$/.test(v) ? v : `'${v}'`;
    })
    .replace(/\{([A-Z_]+)\}/g, (m, name: string) => vars[name] ?? m);
}

export interface ButlerProcess {
  restUrl: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startButler(o: { butlerDir: string; workDir: string; vars: Record<string, string> }): Promise<ButlerProcess> {
  const file = join(o.workDir, "butler.yaml");
  writeFileSync(file, recordingConfig(o.vars));
  const proc: RunningProcess = startProcess("node", [join(o.butlerDir, "src/butler.js"), "-c", file], { cwd: o.butlerDir });
  const restUrl = `http://127.0.0.1:${o.vars.REST_PORT}`;
  try {
    await waitForHttp(`${restUrl}/v4/butlerping`, { timeoutMs: 60_000 });
  } catch (err) {
    await proc.stop("SIGTERM", 5_000);
    throw new Error(`Butler did not start: ${(err as Error).message}\n${proc.output().slice(-6000)}`);
  }
  return { restUrl, output: () => proc.output(), stop: async () => void (await proc.stop("SIGTERM", 5_000)) };
}

/** A task of the simulator's site by its name. */
export function taskIdByName(sim: Simulator, name: string): string {
  const t = sim.site.tasks.find((x) => x.name === name);
  if (!t) throw new Error(`no task named ${name}`);
  return t.id;
}

type Series = { columns: string[]; values: unknown[][] };

/** The one point of a measurement in Butler's database, recorded as outputs.json has it: tags, and fields as [type, value]. */
export async function influxPoint(url: string, measurement: string) {
  const q = async (query: string): Promise<Series | undefined> => {
    const res = await fetch(`${url}/query?${new URLSearchParams({ db: "butler", q: query })}`);
    const body = (await res.json()) as { results: Array<{ series?: Series[] }> };
    return body.results[0]?.series?.[0];
  };
  const rows = await q(`SELECT * FROM ${measurement}`);
  if (!rows?.values.length) return undefined;
  const types = Object.fromEntries(((await q(`SHOW FIELD KEYS FROM ${measurement}`))?.values ?? []).map((v) => [String(v[0]), String(v[1])]));
  const tagKeys = new Set(((await q(`SHOW TAG KEYS FROM ${measurement}`))?.values ?? []).map((v) => String(v[0])));
  const row = rows.values[0]!;
  const tags: Record<string, string> = {};
  const fields: Record<string, [string, string]> = {};
  rows.columns.forEach((c, i) => {
    if (c === "time" || row[i] === null) return;
    if (tagKeys.has(c)) tags[c] = String(row[i]);
    else fields[c] = [types[c] ?? "string", String(row[i])];
  });
  return { measurement, tags, fields };
}
