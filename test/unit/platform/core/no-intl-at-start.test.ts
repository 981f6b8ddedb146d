// A start that shows no local time asks Intl nothing: its zone data and collation tables (ICU, about 4.5 MiB at idle
// on the compiled binary, issue 69) load when a page, a report or a schedule first needs a zone, not at start. The
// start runs in a fresh process with Intl's entry points counted.
import { afterAll, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { createTempDir } from "../../../helpers/temp-dir";

const ROOT = resolve(import.meta.dir, "../../../..");
const tmp = createTempDir();
afterAll(() => tmp.remove());

/** Starts and stops the app the way `steward run` does on `yaml`; returns what asked Intl, and whether a later ask is seen. */
async function intlAskedAtStart(name: string, yaml: string): Promise<{ asked: string[]; probeSeen: boolean }> {
  const script = `
    const asked = [];
    const note = (what) => asked.push(what + " " + (new Error().stack ?? "").split("\\n").slice(2, 4).join(" <- ").trim());
    const DTF = Intl.DateTimeFormat;
    Intl.DateTimeFormat = function (...a) { note("Intl.DateTimeFormat"); return new DTF(...a); };
    Intl.DateTimeFormat.supportedLocalesOf = DTF.supportedLocalesOf;
    for (const k of ["Collator", "NumberFormat", "PluralRules", "RelativeTimeFormat", "ListFormat", "Segmenter", "DisplayNames"]) {
      const C = Intl[k];
      Intl[k] = function (...a) { note("Intl." + k); return new C(...a); };
    }
    const wrap = (proto, key) => { const f = proto[key]; proto[key] = function (...a) { note(key); return f.apply(this, a); }; };
    wrap(String.prototype, "localeCompare");
    for (const k of ["toLocaleString", "toLocaleDateString", "toLocaleTimeString"]) wrap(Date.prototype, k);
    wrap(Number.prototype, "toLocaleString");
    const { createApp } = await import(${JSON.stringify(join(ROOT, "src/app.ts"))});
    const { resolveCheckedConfig } = await import(${JSON.stringify(join(ROOT, "src/show/cli/run.ts"))});
    const { loggerFor } = await import(${JSON.stringify(join(ROOT, "src/show/cli/logging.ts"))});
    const file = ${JSON.stringify(join(tmp.path, `${name}.yaml`))};
    await Bun.write(file, ${JSON.stringify(yaml)});
    const loaded = resolveCheckedConfig({ config: file });
    const app = createApp(loaded, { log: await loggerFor(loaded.config, {}, loaded.secrets) });
    await app.start();
    await Bun.sleep(50);
    await app.stop(1000);
    const atStart = asked.length;
    new Intl.DateTimeFormat("en-GB", { timeZone: "UTC" });
    console.error("ASKED " + JSON.stringify({ asked: asked.slice(0, atStart), probeSeen: asked.length === atStart + 1 }));
  `;
  // A STEWARD_ variable that sets nothing: the overrides are sorted and read at every start.
  const proc = Bun.spawn([process.execPath, "-e", script], {
    cwd: ROOT,
    stdout: "ignore",
    stderr: "pipe",
    env: { ...process.env, STEWARD_NOT_A_SETTING: "1" },
  });
  const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  const line = /^ASKED (.*)$/m.exec(err);
  if (code !== 0 || !line) throw new Error(`the start failed (exit ${code}): ${err.slice(-2000)}`);
  return JSON.parse(line[1]!) as { asked: string[]; probeSeen: boolean };
}

const BASE = `dataDir: ${JSON.stringify(join(tmp.path, "data"))}\nlogging: { level: silent, format: json }\nhttp: { host: 127.0.0.1, port: 0 }\nudp: { host: 127.0.0.1, port: 0 }\n`;

test("a default start (with a STEWARD_ variable set) asks Intl nothing; a later ask is seen", async () => {
  const seen = await intlAskedAtStart("plain", BASE);
  expect(seen.asked).toEqual([]);
  expect(seen.probeSeen).toBe(true);
}, 60_000);
